"""The embedded database file holds password hashes: a new one is the owner's only
(0600), however it comes to be — ``qstui db init`` or the first connection — and so are
its WAL files; an existing file keeps the mode it was given."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from tests.conftest import file_mode

from qstui.db.create import create_database
from qstui.db.engine import Database
from qstui.db.urls import normalize_url


def _touch_through(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))


def test_a_database_made_by_init_is_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "crm.sqlite3"
    assert create_database(normalize_url(str(path)))
    assert file_mode(path) == 0o600
    db = Database(str(path))
    _touch_through(db)
    assert file_mode(Path(f"{path}-wal")) == 0o600
    db.dispose()


def test_a_database_made_by_the_first_connection_is_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "new.sqlite3"
    db = Database(str(path))
    _touch_through(db)
    assert file_mode(path) == 0o600
    assert file_mode(Path(f"{path}-wal")) == 0o600
    db.dispose()


def test_an_existing_database_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "shared.sqlite3"
    first = Database(str(path))
    _touch_through(first)
    first.dispose()
    path.chmod(0o640)  # the owner chose to share it with a group
    again = Database(str(path))
    _touch_through(again)
    again.dispose()
    assert file_mode(path) == 0o640
