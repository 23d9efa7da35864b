"""``qstui.db.backup`` and ``qstui.db.setup`` without the CLI, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import URL

from qstui.db.backup import (
    SQLITE_MAGIC,
    BackupError,
    backup_database,
    detect_format,
    restore_database,
)
from qstui.db.create import create_database, database_exists
from qstui.db.engine import Database
from qstui.db.migrate import head_revision
from qstui.db.models import Company
from qstui.db.setup import (
    DatabaseMissing,
    database_info,
    init_database,
    table_counts,
    upgrade_database,
)


def add_companies(db: Database, *names: str) -> None:
    with db.transaction() as s:
        for name in names:
            s.add(Company(name=name, name_fold=name.lower(), name_key=name.lower()))


def names_in(url: URL) -> list[str]:
    db = Database(url)
    try:
        with db.reader() as s:
            return sorted(s.scalars(select(Company.name)).all())
    finally:
        db.dispose()


def counts(url: URL) -> dict[str, int | None]:
    db = Database(url)
    try:
        return table_counts(db)
    finally:
        db.dispose()


def test_detect_format(tmp_path):
    sqlite_file = tmp_path / "a"
    sqlite_file.write_bytes(SQLITE_MAGIC + b"\x10\x00" * 50)
    other = tmp_path / "b"
    other.write_bytes(b"\x00\x02\x04\nanything")
    empty = tmp_path / "c"
    empty.write_bytes(b"")
    assert detect_format(sqlite_file) == "sqlite"
    assert detect_format(other) == "gbak"
    with pytest.raises(BackupError, match="empty"):
        detect_format(empty)
    with pytest.raises(BackupError, match="Cannot read"):
        detect_format(tmp_path / "missing")


def test_init_database_result(scratch_url, backend):
    url = scratch_url("setup")
    first = init_database(url)
    assert first.backend == backend
    assert first.created and first.migrated and not first.up_to_date
    assert first.revision_before is None and first.revision == head_revision()
    assert first.refbooks_added["regions"] > 0
    if url.password:
        assert url.password not in first.url
    again = init_database(url)
    assert again.up_to_date and again.refbooks_added == {}
    db = Database(url)
    try:
        assert init_database(db).up_to_date  # the TUI's first run passes its Database
    finally:
        db.dispose()


def test_upgrade_and_info_of_missing_database(scratch_url):
    url = scratch_url("gone")
    with pytest.raises(DatabaseMissing):
        upgrade_database(url)
    with pytest.raises(DatabaseMissing):
        database_info(url)
    assert not database_exists(url)


def test_info_counts_real_rows(db, backend):
    add_companies(db, "ООО Один", "ООО Два")
    info = database_info(db)
    assert info.backend == backend
    assert info.tables["companies"] == 2
    assert info.tables["regions"] == table_counts(db)["regions"] > 0
    assert not info.needs_upgrade
    assert info.size_bytes and info.size_bytes > 0
    assert set(info.to_dict()) >= {"backend", "url", "revision", "head", "tables", "total_rows"}


def test_info_of_database_without_schema(scratch_url):
    url = scratch_url("bare")
    create_database(url)
    info = database_info(url)
    assert info.revision is None and info.needs_upgrade
    assert info.tables["companies"] is None
    assert info.total_rows == 0


def test_backup_reports_progress_and_restores(db, scratch_url, tmp_path):
    add_companies(db, "ООО Альфа", "ООО Бета")
    seen: list[tuple[int, int | None]] = []
    result = backup_database(db, tmp_path / "x.bak", progress=lambda d, t: seen.append((d, t)))
    assert result.size == (tmp_path / "x.bak").stat().st_size > 0
    assert seen and seen[-1][0] > 0

    target = scratch_url("back")
    restored = restore_database(target, result.path)
    assert not restored.replaced
    assert restored.revision == head_revision()
    assert restored.tables == table_counts(db)
    assert names_in(target) == ["ООО Альфа", "ООО Бета"]


def test_restore_with_force_replaces_existing_data(db, scratch_url, tmp_path):
    add_companies(db, "ООО Альфа")
    file = backup_database(db, tmp_path / "a.bak").path

    target = scratch_url("repl")
    init_database(target)
    other = Database(target)
    try:
        add_companies(other, "ООО Чужая", "ООО Ещё")
    finally:
        other.dispose()
    with pytest.raises(BackupError, match="not empty"):
        restore_database(target, file)
    assert names_in(target) == ["ООО Ещё", "ООО Чужая"]

    result = restore_database(target, file, force=True)
    assert result.replaced
    assert names_in(target) == ["ООО Альфа"]
    assert counts(target) == table_counts(db)


def test_restore_of_a_non_qstui_database_is_refused(scratch_url, tmp_path):
    foreign = scratch_url("foreign")
    create_database(foreign)
    fdb = Database(foreign)
    try:
        with fdb.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t_other (a INTEGER)"))
    finally:
        fdb.dispose()
    file = backup_database(foreign, tmp_path / "foreign.bak").path

    new_target = scratch_url("fresh")
    with pytest.raises(BackupError, match="not a backup of a qstui database"):
        restore_database(new_target, file)
    assert not database_exists(new_target)

    target = scratch_url("kept")
    init_database(target)
    before = counts(target)
    with pytest.raises(BackupError, match="not a backup of a qstui database"):
        restore_database(target, file, force=True)
    assert counts(target) == before


def test_backup_of_missing_database_and_bad_folder(db, scratch_url, tmp_path):
    with pytest.raises(DatabaseMissing):
        backup_database(scratch_url("none"), tmp_path / "n.bak")
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(db, tmp_path / "no" / "such" / "x.bak")
    with pytest.raises(BackupError, match="folder"):
        backup_database(db, tmp_path)
