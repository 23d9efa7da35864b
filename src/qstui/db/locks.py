"""Waiting for another writer instead of failing or slipping past it (ARCHITECTURE
rule 8), the same on SQLite and Firebird.

- **Check, then insert** (``lock_for_writing``): registering a company reads whether it
  exists, then inserts it; two such transactions at once both read "not there". So each
  first updates its lock row in ``write_locks`` (named after the table it guards): the
  second waits until the first ends, then reads what the first wrote. On SQLite the
  UPDATE takes the database's write lock. On Firebird it locks the row; the waiting
  transaction gets an update conflict once the holder commits (Firebird 3 reads
  committed data but never restarts a statement), so the UPDATE is run again — in
  READ COMMITTED it then succeeds, and every later read sees the holder's rows.
- **A derived column of a shared row** (``execute_waiting``): every interaction of a
  client updates ``companies.last_contact_at``. On Firebird a concurrent update of that
  row is an update conflict — no conflict of the user's: the statement is run again in
  the same transaction (a failed statement undoes only itself) and sees the committed
  row.

- **A user's save of a row that a derived update holds** (``hold_row``): a card saved
  while an interaction of the same client is being logged. The save's versioned UPDATE
  would meet the uncommitted derived update as an update conflict and report a
  "changed by" that never happened; so the row is first taken with an UPDATE that
  changes nothing, run again while it meets a writer. The versioned UPDATE that follows
  then fails only when the version really changed.

All wait about the connection's lock timeout (``lock_timeout``, kept in
``Connection.info``), then give up with ``Busy`` — "someone else is saving, try again"
— never with a "changed by" conflict, which would not be true.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Table, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from qstui.db.errors import is_conflict
from qstui.db.models.locks import WriteLock
from qstui.domain.errors import Busy

LOCK_TIMEOUT_KEY = "qstui_lock_timeout"  # seconds, in Connection.info (set by db.engine)
DEFAULT_WAIT = 10.0
_PAUSE = 0.01  # between attempts, so a lock that fails at once is not retried in a spin


def execute_waiting(conn: Connection, statement: Executable) -> Any:
    """``conn.execute(statement)``, run again while it meets a concurrent writer of the
    same rows, for up to the lock timeout; then ``Busy``. Returns the result."""
    deadline = time.monotonic() + float(conn.info.get(LOCK_TIMEOUT_KEY, DEFAULT_WAIT))
    while True:
        try:
            return conn.execute(statement)
        except DBAPIError as exc:
            if not is_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                raise Busy() from exc
        time.sleep(_PAUSE)


def lock_for_writing(conn: Connection, table: Table) -> None:
    """Hold the write lock of ``table`` until the transaction ends (see the module doc):
    what the transaction reads afterwards stays true until it commits, and on SQLite
    the ids ``bulk.reserve_ids`` gives stay free."""
    locks = WriteLock.__table__
    result = execute_waiting(
        conn, update(locks).where(locks.c.name == table.name).values(name=locks.c.name)
    )
    if result.rowcount != 1:
        raise RuntimeError(
            f"write_locks has no row {table.name!r}: upgrade the database (qstui db upgrade)"
        )


def hold_row(conn: Connection, table: Table, ident: int) -> None:
    """Take the row ``ident`` of ``table`` (a table with ``version`` and ``updated_at``)
    for this transaction, waiting for a concurrent writer of it (see the module doc); its
    values stay as they are."""
    execute_waiting(
        conn,
        update(table)
        .where(table.c.id == ident)
        .values(version=table.c.version, updated_at=table.c.updated_at),
    )


__all__ = ["execute_waiting", "hold_row", "lock_for_writing"]
