"""Writes generated rows through ``db.bulk`` and keeps count: rows per table, rows and
seconds per table family, and which tables got explicit ids.

In background mode worker threads ("lanes") own the connections: ``write`` only
collects rows and ``commit`` hands each lane its part of them as one unit (written,
then committed) while the main thread generates the next chunk — the database drivers
release the GIL while the server works. A lane may wait for another lane's unit of the
same chunk to be committed first (rows that refer to rows of that lane), so that a
multi-core server writes the lanes in parallel without foreign-key waits. Nothing else
may use the connections until ``stop_background()``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table

from qstui.db.bulk import insert_rows, restart_identity
from qstui.db.models import metadata

Rows = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Lane:
    """A connection writing ``tables`` (None: every table no other lane takes), each
    unit after lane ``after`` committed its unit of the same chunk."""

    name: str
    conn: Connection
    tables: frozenset[str] | None = None
    after: str | None = None


@dataclass
class _Unit:
    writes: list[tuple[str, str, Rows]]
    wait_for: _Unit | None = None
    done: threading.Event = field(default_factory=threading.Event)
    failed: bool = False


class _Worker:
    """A thread writing units of one lane on its connection, committing each."""

    def __init__(self, owner: Writer, lane: Lane) -> None:
        self.owner, self.lane = owner, lane
        self.queue: queue.Queue[_Unit | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"demo-{lane.name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            unit = self.queue.get()
            if unit is None:
                return
            try:
                if unit.wait_for is not None:
                    unit.wait_for.done.wait()
                    if unit.wait_for.failed:
                        raise RuntimeError("an earlier write failed")
                if self.error is not None:
                    raise RuntimeError("this lane failed before")
                for family, table, rows in unit.writes:
                    self.owner.write_now(self.lane.conn, family, table, rows)
                self.lane.conn.commit()
            except BaseException as exc:  # handed over to the main thread
                unit.failed = True
                if self.error is None:
                    self.error = exc
            finally:
                unit.done.set()

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join()


class Writer:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.counts: dict[str, int] = {}
        self.family_rows: dict[str, int] = {}
        self.family_seconds: dict[str, float] = {}
        self._with_ids: dict[str, Table] = {}
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._pending: list[tuple[str, str, Rows]] = []

    @contextmanager
    def timing(self, family: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            with self._lock:
                self.family_seconds[family] = self.family_seconds.get(family, 0.0) + spent

    def write(self, family: str, table: str, rows: Rows) -> None:
        if not rows:
            return
        if self._workers:
            self._pending.append((family, table, rows))
        else:
            self.write_now(self.conn, family, table, rows)

    def commit(self) -> None:
        if not self._workers:
            self.conn.commit()
            return
        self._raise_error()
        units: dict[str, _Unit] = {}
        for worker in self._workers:  # lanes are listed after the lanes they wait for
            lane = worker.lane
            writes = [w for w in self._pending if self._lane_of(w[1]) == lane.name]
            units[lane.name] = _Unit(writes, units.get(lane.after) if lane.after else None)
        self._pending = []
        for worker in self._workers:
            worker.queue.put(units[worker.lane.name])  # waits while a unit is still queued

    def start_background(self, lanes: Sequence[Lane] | None = None) -> None:
        """Write from now on in worker threads, one per lane (default: one lane on this
        writer's connection)."""
        lanes = list(lanes or [Lane("main", self.conn)])
        self._lanes_by_table = {t: lane.name for lane in lanes for t in lane.tables or ()}
        self._default_lane = next(lane.name for lane in lanes if lane.tables is None)
        self._workers = [_Worker(self, lane) for lane in lanes]

    def stop_background(self, *, raise_errors: bool = True) -> None:
        """Wait until everything handed over is written; re-raise a worker's failure."""
        for worker in self._workers:
            worker.stop()
        try:
            if raise_errors:
                self._raise_error()
        finally:
            self._workers = []

    def restart_identities(self, last_ids: Mapping[str, int]) -> None:
        """Let every table we wrote ids into continue after them (commits: DDL);
        ``last_ids``: the highest id given per table."""
        for name, table in self._with_ids.items():
            restart_identity(self.conn, table, last_ids.get(name))
        self.conn.commit()

    def write_now(self, conn: Connection, family: str, table: str, rows: Rows) -> None:
        target = metadata.tables[table]
        with self.timing(family):
            insert_rows(conn, target, rows)
        with self._lock:
            self.counts[table] = self.counts.get(table, 0) + len(rows)
            self.family_rows[family] = self.family_rows.get(family, 0) + len(rows)
            if "id" in target.c and "id" in rows[0]:
                self._with_ids[table] = target

    def _lane_of(self, table: str) -> str:
        return self._lanes_by_table.get(table, self._default_lane)

    def _raise_error(self) -> None:
        for worker in self._workers:
            if worker.error is not None:
                error, worker.error = worker.error, None
                raise error
