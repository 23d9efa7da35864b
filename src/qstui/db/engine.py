"""Engines and sessions for SQLite (embedded) and a Firebird 3 server.

``Database`` is the one handle the services get: an engine, a sessionmaker with
``expire_on_commit=False`` and ``transaction()`` — one short transaction per operation
(ARCHITECTURE rule 3). ``lock_timeout`` is how many seconds a statement waits for a lock
another connection holds (the ``lock_timeout`` setting, ``QSTUI_LOCK_TIMEOUT``), and how
long ``db.locks`` keeps waiting for a concurrent writer in all. ``server_timeout`` is how
long a call waits for a Firebird server that stopped answering before it is given up
(``db.server_watch``; the ``server_timeout`` setting, ``QSTUI_SERVER_TIMEOUT``, 30 s).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from qstui.db import compat  # noqa: F401  (registers the Firebird compatibility layer)
from qstui.db.errors import out_of_range
from qstui.db.locks import LOCK_TIMEOUT_KEY
from qstui.db.server_watch import DEFAULT_SERVER_TIMEOUT
from qstui.db.urls import is_firebird, is_per_user, mask_url, needs_login, normalize_url

if TYPE_CHECKING:
    from qstui.db.firebird_engine import FirebirdLink

# SQLite has no native DECIMAL; amounts stay within 15 significant digits (services
# validate it), so the float round trip is exact after quantizing to the scale.
warnings.filterwarnings("ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal")

DEFAULT_LOCK_TIMEOUT = 10  # seconds


def make_engine(
    url: URL | str,
    *,
    echo: bool = False,
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT,
    server_timeout: float = DEFAULT_SERVER_TIMEOUT,
) -> Engine:
    url = normalize_url(url) if isinstance(url, str) else url
    if is_firebird(url):
        return _firebird_link(url, echo, lock_timeout, server_timeout).engine
    return _sqlite_engine(url, echo, lock_timeout)


def _sqlite_engine(url: URL, echo: bool, lock_timeout: int) -> Engine:
    database = url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": lock_timeout, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: Any, record: Any) -> None:
        record.info[LOCK_TIMEOUT_KEY] = lock_timeout
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if database and database != ":memory:":
            _private_if_new(database)  # before WAL: its files take the database's mode
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def _private_if_new(database: str) -> None:
    """A database file SQLite has just created (still empty) is made the owner's only:
    it will hold password hashes. An existing file keeps the mode it was given."""
    path = Path(database)
    try:
        if path.stat().st_size == 0 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)
    except OSError:
        pass  # not ours to change, or gone: SQLite reports what matters


def _firebird_link(url: URL, echo: bool, lock_timeout: int, server_timeout: float) -> FirebirdLink:
    from qstui.db.firebird_engine import FirebirdLink

    return FirebirdLink(url, echo=echo, lock_timeout=lock_timeout, server_timeout=server_timeout)


@contextmanager
def _ids_in_range() -> Iterator[None]:
    """A lookup by a number no INTEGER column can hold (an id typed by someone) ends in
    ``NotFound``, as for any unknown id, instead of the driver's overflow error."""
    try:
        yield
    except (ValueError, OverflowError) as error:
        not_found = out_of_range(error)
        if not_found is None:
            raise
        raise not_found from error


class Database:
    """A database the application works with: engine + sessions."""

    def __init__(
        self,
        url: URL | str,
        *,
        echo: bool = False,
        lock_timeout: int = DEFAULT_LOCK_TIMEOUT,
        server_timeout: float = DEFAULT_SERVER_TIMEOUT,
    ) -> None:
        self.url = normalize_url(url) if isinstance(url, str) else url
        self.lock_timeout = lock_timeout
        self.server_timeout = server_timeout
        self._link: FirebirdLink | None = None
        if is_firebird(self.url):
            self._link = _firebird_link(self.url, echo, lock_timeout, server_timeout)
            self.engine = self._link.engine
        else:
            self.engine = _sqlite_engine(self.url, echo, lock_timeout)
        # ``per_user``: connected with a user's own Firebird login and role; the services
        # write protected tables through the procedures of ``db.grants`` (Session.info).
        self.per_user = is_per_user(self.url)
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"per_user": self.per_user}
        )

    @property
    def backend(self) -> str:
        return "firebird" if is_firebird(self.url) else "sqlite"

    @property
    def needs_login(self) -> bool:
        """No user in the URL: the login screen's login and password connect."""
        return needs_login(self.url)

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any exception."""
        with _ids_in_range(), self.sessions.begin() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end, keeps nothing open)."""
        session = self.sessions()
        try:
            with _ids_in_range():
                yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        if self._link is not None:
            self._link.dispose()
        else:
            self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.display_url})"


__all__ = ["DEFAULT_SERVER_TIMEOUT", "Database", "exc", "make_engine"]
