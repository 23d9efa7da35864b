"""Backing up and restoring a whole database (``qstui db backup`` / ``qstui db restore``).

SQLite: a backup is a complete SQLite file made with the online backup API
(``sqlite3.Connection.backup``), so it is consistent even while the application writes.
A restore validates a copy of the file (``PRAGMA quick_check``, a qstui schema revision
this version knows) and then copies it into the target with the backup API, which
replaces the target's pages in one transaction.

Firebird: a backup is in gbak format, made by the server's services API and streamed to
the client (``local_backup``), so the file may be on the machine running qstui. A
restore streams it back (``local_restore``, page size 16384). The services API cannot
rename files on the server, and a failed restore with REPLACE leaves a damaged target,
so when the target exists the stream is first restored into a temporary sibling
database (``<name>.restore-<random>.fdb``), checked and dropped, and only then restored
over the target with CREATE | REPLACE. The price is restoring twice; the target is
never touched by a backup that does not restore. A target that does not exist is
restored into directly and dropped again if that fails.

Both sides write the backup into a temporary sibling of the output file first and move
it into place only when it is complete. A backup holds every password hash, so the
backup and every temporary copy are readable by their owner only (mode 0600,
``qstui.files``), whatever the umask and the mode of a file it replaces.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import inspect
from sqlalchemy.engine import URL

from qstui.db.create import PAGE_SIZE, database_exists, drop_database
from qstui.db.engine import DEFAULT_LOCK_TIMEOUT, Database
from qstui.db.migrate import current_revision, head_revision
from qstui.db.setup import (
    DbTarget,
    as_url,
    backend_of,
    require_existing,
    revision_known,
    rows_in,
    table_counts,
)
from qstui.db.urls import DEFAULT_FIREBIRD_PORT, is_firebird, mask_url
from qstui.domain.errors import ServiceError
from qstui.files import create_private, open_private
from qstui.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_STEP_PAGES = 2048  # pages copied per backup step (8 MB with 4 KB pages)
CHUNK = 1 << 20
# gbak: "expected backup description record", "unexpected I/O error while reading from
# backup file", "unexpected end of file on backup file", "invalid block type encountered".
_GBAK_BAD_INPUT = frozenset({336330797, 336330972, 336330800, 336330810, 336330762})
_GBAK_IN_USE = frozenset({336330985, 335544510})  # could not drop (in use); lock timeout

Progress = Callable[[int, int | None], None]
"""Called as ``progress(bytes_done, bytes_total_or_None)`` while data moves."""


class BackupError(ServiceError):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclass(frozen=True)
class BackupResult:
    backend: str
    url: str  # password masked
    path: Path
    size: int


@dataclass(frozen=True)
class RestoreResult:
    backend: str
    url: str  # password masked
    revision: str | None
    head: str
    tables: dict[str, int | None]
    replaced: bool  # the target existed before

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head

    @property
    def total_rows(self) -> int:
        return sum(n for n in self.tables.values() if n)


def detect_format(path: Path) -> str:
    """``"sqlite"`` for an SQLite file, ``"gbak"`` for anything else that is not empty."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(
            _("Cannot read {file}: {detail}").format(file=path, detail=exc.strerror or exc)
        ) from None
    if not head:
        raise BackupError(_("{file} is empty: it is not a backup").format(file=path))
    return "sqlite" if head == SQLITE_MAGIC else "gbak"


# --- Backup ----------------------------------------------------------------------------


def backup_database(
    target: DbTarget,
    file: Path | str,
    *,
    force: bool = False,
    progress: Progress | None = None,
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT,
) -> BackupResult:
    """Write a backup of the database into ``file`` (refused if it exists, unless ``force``;
    SQLite waits up to ``lock_timeout`` seconds for a writer)."""
    url = require_existing(target)
    out = Path(file).expanduser().absolute()
    if out.is_dir():
        raise BackupError(_("{file} is a folder; give a file name").format(file=out))
    if out.exists() and not force:
        raise BackupError(_("{file} already exists; add --force to overwrite it").format(file=out))
    if not out.parent.is_dir():
        raise BackupError(_("The folder {folder} does not exist").format(folder=out.parent))
    if not is_firebird(url) and _same_file(out, Path(url.database or "")):
        raise BackupError(_("The backup file cannot be the database itself"))
    report = progress or (lambda _done, _total: None)
    part = out.with_name(f".{out.name}.part-{uuid.uuid4().hex[:8]}")
    try:
        if is_firebird(url):
            _backup_firebird(url, part, report)
        else:
            _backup_sqlite(Path(url.database or ""), part, report, lock_timeout)
        os.replace(part, out)
    except OSError as exc:
        raise BackupError(
            _("Cannot write {file}: {detail}").format(file=out, detail=exc.strerror or exc)
        ) from None
    finally:
        _remove_sqlite_files(part)
    return BackupResult(backend_of(url), mask_url(url), out, out.stat().st_size)


def _backup_sqlite(source: Path, part: Path, report: Progress, lock_timeout: int) -> None:
    create_private(part)  # sqlite3 would create it with the umask's mode
    src = sqlite3.connect(source, timeout=lock_timeout)
    dst = sqlite3.connect(part)
    try:
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])

        def step(_status: int, remaining: int, total: int) -> None:
            report((total - remaining) * page_size, total * page_size)

        src.backup(dst, pages=SQLITE_STEP_PAGES, progress=step)
        # A standalone file: rollback journal, not WAL (no -wal/-shm next to a backup).
        dst.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.Error as exc:
        raise BackupError(_("The backup failed: {detail}").format(detail=exc)) from None
    finally:
        dst.close()
        src.close()


def _backup_firebird(url: URL, part: Path, report: Progress) -> None:
    from firebird.driver import DatabaseError, connect_server

    with (
        connect_server(_server_config(url), user=url.username, password=url.password) as srv,
        open_private(part, "wb") as fh,
    ):
        writer = _CountingWriter(fh, report)
        try:
            srv.database.local_backup(database=url.database, backup_stream=writer)
        except DatabaseError as exc:
            raise BackupError(_("The backup failed: {detail}").format(detail=_line(exc))) from None


# --- Restore ---------------------------------------------------------------------------


def restore_database(
    target: DbTarget,
    file: Path | str,
    *,
    force: bool = False,
    progress: Progress | None = None,
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT,
) -> RestoreResult:
    """Replace the database of ``target`` with the backup in ``file``.

    A target with rows in any table needs ``force``. On any failure the target is left
    as it was. If ``target`` is an open Database, its connections are closed first.
    """
    url = as_url(target)
    if isinstance(target, Database):
        target.dispose()
    source = Path(file).expanduser().absolute()
    fmt = detect_format(source)
    if is_firebird(url) and fmt == "sqlite":
        raise BackupError(
            _(
                "{file} is an SQLite backup; it cannot be restored into a Firebird database "
                "(restore it into an SQLite file)"
            ).format(file=source)
        )
    if not is_firebird(url) and fmt != "sqlite":
        raise BackupError(
            _(
                "{file} is not an SQLite backup (a Firebird backup or a damaged file); "
                "it cannot be restored into an SQLite database"
            ).format(file=source)
        )
    existed = database_exists(url)
    if existed and not force:
        rows = _rows_of(url)
        if rows:
            raise BackupError(
                _(
                    "The database {url} is not empty ({rows} rows); "
                    "add --force to replace it with the backup"
                ).format(url=mask_url(url), rows=rows)
            )
    report = progress or (lambda _done, _total: None)
    if is_firebird(url):
        _restore_firebird(url, source, existed, report)
    else:
        _restore_sqlite(url, source, report, lock_timeout)
    db = Database(url)
    try:
        revision = current_revision(db)
        counts = table_counts(db)
    finally:
        db.dispose()
    return RestoreResult(backend_of(url), mask_url(url), revision, head_revision(), counts, existed)


def _rows_of(url: URL) -> int:
    db = Database(url)
    try:
        return rows_in(db)
    finally:
        db.dispose()


def _restore_sqlite(url: URL, source: Path, report: Progress, lock_timeout: int) -> None:
    target = Path(url.database or "")
    if not url.database or url.database == ":memory:":
        raise BackupError(_("Cannot restore into an in-memory database"))
    if _same_file(source, target):
        raise BackupError(_("The backup file cannot be the database itself"))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        _copy_file(source, temp, report)
        _check_sqlite(temp, source)
        if not target.exists() or target.stat().st_size == 0:
            # A fresh target: stale -wal/-shm of an older file would be replayed into it.
            _remove_sqlite_files(target)
        src = sqlite3.connect(temp)
        dst = sqlite3.connect(target, timeout=lock_timeout)
        try:
            src.backup(dst)
        except sqlite3.Error as exc:
            raise BackupError(
                _("Cannot restore into {url}: {detail}").format(url=mask_url(url), detail=exc)
            ) from None
        finally:
            dst.close()
            src.close()
    except OSError as exc:
        raise BackupError(
            _("Cannot restore {file}: {detail}").format(file=source, detail=exc.strerror or exc)
        ) from None
    finally:
        _remove_sqlite_files(temp)


def _check_sqlite(copy: Path, source: Path) -> None:
    """The copy is a sound SQLite database with a qstui schema this version knows."""
    con = sqlite3.connect(copy)
    try:
        result = con.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            raise _damaged(source, result[0][0] if result else "?")
        has_version = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_version:
            raise _not_qstui(source)
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        _check_revision(source, row[0] if row else None)
    except sqlite3.DatabaseError as exc:
        raise _damaged(source, str(exc)) from None
    finally:
        con.close()


def _restore_firebird(url: URL, source: Path, existed: bool, report: Progress) -> None:
    from firebird.driver import SrvRestoreFlag

    size = source.stat().st_size
    if not existed:
        _fb_restore(url, source, SrvRestoreFlag.CREATE, report, size, 0, size)
        try:
            _check_firebird(url, source)
        except BaseException:
            _drop_quietly(url)
            raise
        return
    temp = url.set(database=_sibling_path(_firebird_file(url)))
    try:
        _fb_restore(temp, source, SrvRestoreFlag.CREATE, report, size, 0, 2 * size)
        _check_firebird(temp, source)
    finally:
        _drop_quietly(temp)
    flags = SrvRestoreFlag.CREATE | SrvRestoreFlag.REPLACE
    _fb_restore(url, source, flags, report, size, size, 2 * size, drop_on_failure=False)


def _fb_restore(
    url: URL,
    source: Path,
    flags: Any,
    report: Progress,
    size: int,
    offset: int,
    total: int,
    *,
    drop_on_failure: bool = True,
) -> None:
    from firebird.driver import DatabaseError, connect_server

    with connect_server(_server_config(url), user=url.username, password=url.password) as srv:
        try:
            with open(source, "rb") as fh:
                reader = _CountingReader(fh, lambda done, _t: report(offset + done, total))
                srv.database.local_restore(
                    backup_stream=reader,
                    database=url.database,
                    flags=flags,
                    page_size=PAGE_SIZE,
                )
        except DatabaseError as exc:
            codes = set(getattr(exc, "gds_codes", None) or ())
            if drop_on_failure:
                _drop_quietly(url)
            if codes & _GBAK_IN_USE:
                raise BackupError(
                    _(
                        "The database {url} is in use; close qstui on every computer and try again"
                    ).format(url=mask_url(url))
                ) from None
            if codes & _GBAK_BAD_INPUT:
                raise _damaged(source, _line(exc)) from None
            raise BackupError(
                _("Cannot restore {file}: {detail}").format(file=source, detail=_line(exc))
            ) from None


def _check_firebird(url: URL, source: Path) -> None:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            names = {n.lower() for n in inspect(conn).get_table_names()}
        if "alembic_version" not in names:
            raise _not_qstui(source)
        _check_revision(source, current_revision(db))
    finally:
        db.dispose()


def _firebird_file(url: URL) -> str:
    """The database's file path on the server (an alias resolved by the server)."""
    from firebird.driver import DatabaseError, connect

    from qstui.db.urls import firebird_dsn

    path = url.database or ""
    try:
        with connect(firebird_dsn(url), user=url.username, password=url.password) as con:
            cur = con.cursor()
            cur.execute("SELECT mon$database_name FROM mon$database")
            name = str(cur.fetchone()[0]).strip()
            con.commit()
        return name
    except DatabaseError:
        if "/" in path or "\\" in path:  # a damaged target given by its path: replace it
            return path
        raise


def _sibling_path(path: str) -> str:
    cut = max(path.rfind("/"), path.rfind("\\"))
    folder, name = path[: cut + 1], path[cut + 1 :]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{folder}{stem}.restore-{uuid.uuid4().hex[:8]}.fdb"


def _drop_quietly(url: URL) -> None:
    try:
        drop_database(url)
    except Exception:  # a half-made file the server cannot open: nothing more to do
        pass


# --- Helpers ---------------------------------------------------------------------------


def _check_revision(source: Path, revision: str | None) -> None:
    if not revision_known(revision):
        raise BackupError(
            _(
                "{file} has schema revision {revision} that this version of qstui does not "
                "know; update qstui first"
            ).format(file=source, revision=revision)
        )


def _damaged(source: Path, detail: str) -> BackupError:
    return BackupError(
        _("{file} is damaged or not a valid backup: {detail}").format(file=source, detail=detail)
    )


def _not_qstui(source: Path) -> BackupError:
    return BackupError(_("{file} is not a backup of a qstui database").format(file=source))


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _server_config(url: URL) -> str:
    """The name of a firebird-driver server config for the URL's host and port.

    ``connect_server`` takes a config name; an unregistered name silently means the
    local in-process service manager, not the server of the URL.
    """
    from firebird.driver import driver_config

    port = str(url.port or DEFAULT_FIREBIRD_PORT)
    name = f"qstui-server-{url.host}-{port}"
    if driver_config.get_server(name) is None:
        cfg = driver_config.register_server(name)
        cfg.host.value = url.host
        cfg.port.value = port
    return name


def _copy_file(source: Path, dest: Path, report: Progress) -> None:
    total = source.stat().st_size
    done = 0
    with open(source, "rb") as src, open_private(dest, "wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            done += len(chunk)
            report(done, total)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            pass


class _CountingWriter:
    """A binary stream that reports how many bytes went through it."""

    def __init__(self, stream: BinaryIO, report: Progress) -> None:
        self._stream = stream
        self._report = report
        self.written = 0

    def write(self, data: bytes) -> int:
        if not data:
            return 0
        n = self._stream.write(data)
        self.written += len(data)
        self._report(self.written, None)
        return n


class _CountingReader:
    def __init__(self, stream: BinaryIO, report: Progress) -> None:
        self._stream = stream
        self._report = report
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.read_bytes += len(data)
        self._report(self.read_bytes, None)
        return data


__all__ = [
    "SQLITE_MAGIC",
    "BackupError",
    "BackupResult",
    "Progress",
    "RestoreResult",
    "backup_database",
    "detect_format",
    "restore_database",
]
