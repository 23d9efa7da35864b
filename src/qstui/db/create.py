"""Creating and dropping whole databases (``qstui db init``, tests).

SQLite: a file, created on first connect. Firebird: created through the server with
page size 16384 and charset UTF8 (FIREBIRD.md); the directory must be writable by the
server's ``firebird`` user.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from qstui.db.urls import firebird_dsn, is_firebird
from qstui.files import create_private

PAGE_SIZE = 16384
_IO_ERROR = 335544344  # isc_io_error: the file cannot be opened


def database_exists(url: URL) -> bool:
    if not is_firebird(url):
        return _sqlite_path(url) is None or _sqlite_path(url).exists()  # type: ignore[union-attr]
    from firebird.driver import DatabaseError, connect

    try:
        connect(firebird_dsn(url), user=url.username, password=url.password).close()
    except DatabaseError as exc:
        if _IO_ERROR in (getattr(exc, "gds_codes", None) or ()):
            return False
        raise
    return True


def create_database(url: URL) -> bool:
    """Create the database if it does not exist; True if it was created."""
    if database_exists(url):
        return False
    if not is_firebird(url):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_private(path)  # it will hold password hashes: the owner's only
        return True
    from firebird.driver import create_database as fb_create

    fb_create(_registered(url), user=url.username, password=url.password, charset="UTF8").close()
    return True


def drop_database(url: URL) -> None:
    """Remove the database entirely (tests, ``db restore`` into a fresh file)."""
    if not is_firebird(url):
        path = _sqlite_path(url)
        if path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not database_exists(url):
        return
    from firebird.driver import connect

    with connect(firebird_dsn(url), user=url.username, password=url.password) as con:
        con.drop_database()


def _sqlite_path(url: URL) -> Path | None:
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _registered(url: URL) -> str:
    """A firebird-driver database config for ``url`` with our page size (created once)."""
    from firebird.driver import driver_config

    dsn = firebird_dsn(url)
    name = "qstui-" + hashlib.sha1(dsn.encode()).hexdigest()[:12]
    cfg: Any
    try:
        cfg = driver_config.get_database(name)
    except Exception:
        cfg = None
    if cfg is None:
        cfg = driver_config.register_database(name)
        cfg.database.value = dsn
        cfg.page_size.value = PAGE_SIZE
        cfg.db_charset.value = "UTF8"
    return name
