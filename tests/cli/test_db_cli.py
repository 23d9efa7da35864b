"""``qstui db``: init, upgrade, info, backup and restore through the CLI, on both backends."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.engine import URL
from tests.conftest import file_mode

from qstui.cli.main import cli
from qstui.db.create import create_database, database_exists
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision
from qstui.db.models import Company, Region
from qstui.db.setup import init_database, table_counts
from qstui.domain.enums import Role
from qstui.services.access.users import create_user
from qstui.services.context import Context


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def run(url: URL | str, *args: str) -> Result:
    target = url if isinstance(url, str) else url_text(url)
    return CliRunner().invoke(cli, ["--db", target, "db", *args])


def assert_one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def counts_of(url: URL) -> dict[str, int | None]:
    db = Database(url)
    try:
        return table_counts(db)
    finally:
        db.dispose()


def add_rows(db: Database) -> None:
    ctx = Context.system(db)
    create_user(ctx, "ivanov", "Иван Иванов", Role.MANAGER, "secret1")
    create_user(ctx, "petrova", "Анна Петрова", Role.HEAD, "secret2")
    with db.transaction() as s:
        for name in ("Ромашка", "Василёк", "Лютик"):
            s.add(Company(name=f"ООО {name}", name_fold=name.lower(), name_key=name.lower()))


def company_names(url: URL) -> list[str]:
    db = Database(url)
    try:
        with db.reader() as s:
            return sorted(s.scalars(select(Company.name)).all())
    finally:
        db.dispose()


# --- init / upgrade --------------------------------------------------------------------


def test_init_creates_migrates_loads_and_is_idempotent(scratch_url):
    url = scratch_url("init")
    assert not database_exists(url)

    first = run(url, "init")
    assert first.exit_code == 0, first.output
    assert database_exists(url)
    assert "Created the database" in first.stdout
    assert "Reference books:" in first.stdout
    counts = counts_of(url)
    assert counts["regions"] and counts["currencies"] and counts["pipelines"]
    assert counts["stages"] and counts["role_rights"]
    assert counts["users"] == 0
    db = Database(url)
    try:
        assert current_revision(db) == head_revision()
        with db.reader() as s:
            assert s.scalar(select(Region.id).limit(1)) is not None
    finally:
        db.dispose()

    second = run(url, "init")
    assert second.exit_code == 0, second.output
    assert "up to date" in second.stdout
    assert "Created" not in second.stdout
    assert counts_of(url) == counts


def test_init_migrates_an_existing_empty_database(scratch_url):
    url = scratch_url("empty")
    create_database(url)
    result = run(url, "init")
    assert result.exit_code == 0, result.output
    assert "exists" in result.stdout
    assert f"→ {head_revision()}" in result.stdout
    assert counts_of(url)["regions"]


def test_upgrade_missing_database_is_one_line_error(scratch_url):
    url = scratch_url("missing")
    result = run(url, "upgrade")
    line = assert_one_line_error(result)
    assert "qstui db init" in line
    assert not database_exists(url)


def test_upgrade_of_database_at_head_is_harmless(db):
    result = run(db.url, "upgrade")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert head_revision() in result.stdout


def test_upgrade_migrates_an_empty_schema(scratch_url):
    url = scratch_url("upg")
    create_database(url)
    result = run(url, "upgrade")
    assert result.exit_code == 0, result.output
    assert "Upgraded" in result.stdout
    # the indexes the migrations built have planner statistics (Firebird has none else)
    analyzed = int(result.stdout.split("Statistics refreshed: ")[1].split()[0])
    assert analyzed > 0
    counts = counts_of(url)
    assert counts["companies"] == 0  # the table exists now
    assert counts["regions"] == 0  # upgrade does not load reference books


# --- info ------------------------------------------------------------------------------


def test_info_shows_backend_revision_counts_and_hides_password(db, backend):
    add_rows(db)
    result = run(db.url, "info")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert backend in out
    assert head_revision() in out
    assert "up to date" in out
    assert db.display_url in out
    if db.url.password:
        assert db.url.password not in result.output
        assert db.url.password not in result.stderr
        assert "***" in out
    lines = {
        line.split()[0]: line.split()[-1] for line in out.splitlines() if line.startswith("  ")
    }
    assert lines["companies"] == "3"
    assert lines["users"] == "2"
    assert "Firebird" in out if backend == "firebird" else "SQLite" in out


def test_info_json(db, backend):
    add_rows(db)
    result = run(db.url, "info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["backend"] == backend
    assert data["revision"] == data["head"] == head_revision()
    assert data["needs_upgrade"] is False
    assert data["tables"]["companies"] == 3
    assert data["tables"]["users"] == 2
    assert data["size_bytes"] > 0
    assert data["url"] == db.display_url
    if db.url.password:
        assert db.url.password not in result.output


def test_info_of_missing_database_is_one_line_error(scratch_url):
    url = scratch_url("noinfo")
    line = assert_one_line_error(run(url, "info"))
    assert "does not exist" in line
    if url.password:
        assert url.password not in line
    assert not database_exists(url)


# --- backup / restore ------------------------------------------------------------------


def test_backup_then_restore_into_fresh_database_has_same_rows(db, backend, scratch_url, tmp_path):
    add_rows(db)
    file = tmp_path / "crm.bak"
    result = run(db.url, "backup", str(file))
    assert result.exit_code == 0, result.output
    assert str(file) in result.stdout
    assert file.stat().st_size > 0
    head = file.read_bytes()[:16]
    assert (head == b"SQLite format 3\x00") == (backend == "sqlite")
    assert not [p for p in tmp_path.iterdir() if p.name != "crm.bak"]  # no leftovers

    target = scratch_url("restored")
    restored = run(target, "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.stdout
    expected = table_counts(db)
    assert expected["companies"] == 3
    assert counts_of(target) == expected
    assert company_names(target) == ["ООО Василёк", "ООО Лютик", "ООО Ромашка"]

    # The restored database is usable: it takes new rows.
    restored_db = Database(target)
    try:
        create_user(Context.system(restored_db), "sidorov", "Пётр Сидоров", Role.ADMIN, "pass9")
        assert table_counts(restored_db)["users"] == 3
    finally:
        restored_db.dispose()


def test_restore_into_database_with_rows_needs_force(db, scratch_url, tmp_path):
    add_rows(db)
    file = tmp_path / "crm.bak"
    assert run(db.url, "backup", str(file)).exit_code == 0

    target = scratch_url("busy")
    init_database(target)
    other = Database(target)
    try:
        with other.transaction() as s:
            s.add(Company(name="ООО Другая", name_fold="другая", name_key="другая"))
    finally:
        other.dispose()

    line = assert_one_line_error(run(target, "restore", str(file)))
    assert "--force" in line
    assert company_names(target) == ["ООО Другая"]

    forced = run(target, "restore", str(file), "--force")
    assert forced.exit_code == 0, forced.output
    assert company_names(target) == ["ООО Василёк", "ООО Лютик", "ООО Ромашка"]
    assert counts_of(target) == table_counts(db)


def test_backup_refuses_to_overwrite_without_force(db, backend, tmp_path):
    file = tmp_path / "old.bak"
    file.write_bytes(b"keep me")
    line = assert_one_line_error(run(db.url, "backup", str(file)))
    assert "--force" in line
    assert file.read_bytes() == b"keep me"

    result = run(db.url, "backup", str(file), "--force")
    assert result.exit_code == 0, result.output
    assert file.read_bytes() != b"keep me"
    assert file.stat().st_size > 1000


def test_a_backup_is_readable_by_its_owner_only(db, tmp_path, open_umask):
    (tmp_path / "plain").touch()
    assert file_mode(tmp_path / "plain") == 0o644  # what the umask alone would give
    file = tmp_path / "crm.bak"
    assert run(db.url, "backup", str(file)).exit_code == 0
    assert file_mode(file) == 0o600
    old = tmp_path / "old.bak"
    old.write_bytes(b"shared")
    old.chmod(0o644)
    assert run(db.url, "backup", str(old), "--force").exit_code == 0
    assert file_mode(old) == 0o600 and old.stat().st_size > 1000


def _target_with_rows(scratch_url) -> URL:
    target = scratch_url("target")
    init_database(target)
    db = Database(target)
    try:
        add_rows(db)
    finally:
        db.dispose()
    return target


@pytest.mark.parametrize("kind", ["random", "truncated"])
def test_restore_of_malformed_file_leaves_target_unchanged(db, scratch_url, tmp_path, kind):
    if kind == "random":
        bad = tmp_path / "random.bak"
        bad.write_bytes(os.urandom(64 * 1024))
    else:
        add_rows(db)
        good = tmp_path / "good.bak"
        assert run(db.url, "backup", str(good)).exit_code == 0
        data = good.read_bytes()
        bad = tmp_path / "truncated.bak"
        bad.write_bytes(data[: len(data) // 2])

    target = _target_with_rows(scratch_url)
    before = counts_of(target)
    line = assert_one_line_error(run(target, "restore", str(bad), "--force"))
    assert str(bad) in line
    assert counts_of(target) == before
    assert company_names(target) == ["ООО Василёк", "ООО Лютик", "ООО Ромашка"]


def test_restore_of_malformed_file_into_new_database_creates_nothing(scratch_url, tmp_path):
    bad = tmp_path / "random.bak"
    bad.write_bytes(os.urandom(10_000))
    target = scratch_url("never")
    assert_one_line_error(run(target, "restore", str(bad)))
    assert not database_exists(target)


def test_restore_of_backup_of_other_backend_is_refused(backend, scratch_url, tmp_path):
    target = scratch_url("mismatch")
    if backend == "firebird":
        # A real SQLite backup restored into a Firebird URL.
        source = normalize_sqlite(tmp_path / "src.sqlite3")
        init_database(source)
        file = tmp_path / "sqlite.bak"
        assert run(source, "backup", str(file)).exit_code == 0
        expected = "is an SQLite backup"
    else:
        file = tmp_path / "fb.fbk"  # the first bytes of a gbak file
        file.write_bytes(b"\x00\x02\x04\n\x00\x00\x00\x04\x04\x01" + b"\x00" * 2000)
        expected = "is not an SQLite backup"
    line = assert_one_line_error(run(target, "restore", str(file)))
    assert expected in line
    assert not database_exists(target)


def normalize_sqlite(path: Path) -> URL:
    return URL.create("sqlite", database=str(path))


# --- usage and help --------------------------------------------------------------------


def test_usage_errors_exit_2(db):
    assert run(db.url, "backup").exit_code == 2
    assert run(db.url, "restore").exit_code == 2
    assert run(db.url, "nosuch").exit_code == 2
    assert run(db.url, "info", "--bogus").exit_code == 2


@pytest.mark.parametrize(
    "command", [[], ["init"], ["upgrade"], ["info"], ["analyze"], ["backup"], ["restore"]]
)
def test_help_has_examples(backend, command):
    result = CliRunner().invoke(cli, ["db", *command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert "qstui" in result.stdout


def test_analyze_refreshes_the_statistics(db):
    result = run(db.url, "analyze")
    assert result.exit_code == 0, result.output
    assert "Statistics refreshed" in result.stdout


def test_analyze_of_missing_database_is_one_line_error(scratch_url):
    url = scratch_url("missing")
    line = assert_one_line_error(run(url, "analyze"))
    assert "qstui db init" in line
    assert not database_exists(url)
