"""``qstui db grants``, ``qstui db per-user-logins`` and the user commands making each
user's own Firebird login, end to end through the root group (Firebird only, but for
the refusal on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from firebird.driver import DatabaseError
from sqlalchemy import select
from tests.services.firebird_login_support import (
    drop_logins,
    new_login,
    per_user_database,
    raw_connection,
    run_sql,
)

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.grants import ROLE
from qstui.db.models import AppUser, AuditEntry

PASSWORD = "Cli-Пароль-'77"


def run(db: Database, *args: str, input: str | None = None) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, *args], input=input)


@pytest.fixture
def logins(db: Database) -> Iterator[list[str]]:
    if db.backend != "firebird":
        pytest.skip("Firebird only: per-user logins are the Firebird server's logins")
    made: list[str] = []
    yield made
    drop_logins(db, made)


def test_sqlite_refuses_per_user_logins_in_one_line(db, backend):
    if backend != "sqlite":
        pytest.skip("the refusal is SQLite's")
    result = run(db, "db", "per-user-logins", "on")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "Firebird" in result.stderr
    assert run(db, "db", "grants").exit_code == 1


def test_user_commands_make_lock_and_unlock_the_firebird_login(db, logins):
    name = new_login()
    logins.append(name + "x")
    older = run(
        db, "user", "add", name + "x", "--name", "Старый", "--role", "manager",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert older.exit_code == 0, older.output
    result = run(db, "db", "per-user-logins", "on")
    assert result.exit_code == 0, result.output
    assert ROLE in result.output
    assert f"qstui user passwd LOGIN): {name}x" in result.output  # made before: a hash
    moved = run(db, "user", "passwd", name + "x", "--password-stdin", input="Stary-1\n")
    assert moved.exit_code == 0, moved.output
    raw_connection(db, name + "x", "Stary-1").close()
    assert f"{name}x" not in run(db, "db", "per-user-logins", "on").output
    logins.append(name)
    added = run(
        db, "user", "add", name, "--name", "Петрова Анна", "--role", "manager",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    with raw_connection(db, name, PASSWORD) as con:
        assert run_sql(con, "SELECT CURRENT_ROLE FROM rdb$database") == [(ROLE,)]
    assert run(db, "user", "lock", name).exit_code == 0
    with pytest.raises(DatabaseError):
        raw_connection(db, name, PASSWORD)
    assert run(db, "user", "unlock", name).exit_code == 0
    assert run(db, "user", "passwd", name, "--password-stdin", input="Другой-2\n").exit_code == 0
    with pytest.raises(DatabaseError):
        raw_connection(db, name, PASSWORD)
    raw_connection(db, name, "Другой-2").close()


def test_db_grants_takes_back_what_the_role_should_not_have(db, logins):
    assert run(db, "db", "per-user-logins", "on").exit_code == 0
    name = new_login()
    logins.append(name)
    added = run(
        db,
        "user",
        "add",
        name,
        "--name",
        "Иванов",
        "--role",
        "manager",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    with db.engine.connect() as conn:  # someone widened the role by hand
        conn.exec_driver_sql(f"GRANT UPDATE ON users TO ROLE {ROLE}")
        conn.commit()
    upgraded = run(db, "db", "upgrade")
    assert upgraded.exit_code == 0 and ROLE in upgraded.output
    with raw_connection(db, name, PASSWORD) as con, pytest.raises(DatabaseError):
        run_sql(con, "UPDATE users SET role = 'admin'")
    with db.engine.connect() as conn:  # ... and narrowed it
        conn.exec_driver_sql(f"REVOKE SELECT, INSERT, UPDATE, DELETE ON companies FROM ROLE {ROLE}")
        conn.commit()
    with raw_connection(db, name, PASSWORD) as con, pytest.raises(DatabaseError):
        run_sql(con, "UPDATE companies SET city = 'Тверь' WHERE id = 0")
    result = run(db, "db", "grants")
    assert result.exit_code == 0, result.output
    assert ROLE in result.output
    with raw_connection(db, name, PASSWORD) as con:
        run_sql(con, "UPDATE companies SET city = 'Тверь' WHERE id = 0")


def test_the_cli_acts_as_a_user_on_that_user_s_own_login(db, logins):
    """A manager's URL names no user: ``--as LOGIN`` with the password connects as that
    login; without it there is nobody to connect as."""
    assert run(db, "db", "per-user-logins", "on").exit_code == 0
    name = new_login()
    logins.append(name)
    added = run(
        db, "user", "add", name, "--name", "Сидоров", "--role", "manager",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    shared = per_user_database(db)
    try:
        url = shared.url.render_as_string(hide_password=False)
        assert "SYSDBA" not in url
        own = CliRunner().invoke(
            cli,
            ["--db", url, "client", "add", "--name", "ООО Лютик", "--as", name, "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assert own.exit_code == 0, own.output
        nobody = CliRunner().invoke(cli, ["--db", url, "user", "list"])
        assert nobody.exit_code == 1 and "Traceback" not in nobody.output
        assert "names no user" in nobody.stderr and "--as LOGIN" in nobody.stderr
    finally:
        shared.dispose()
    with db.reader() as s:
        author = s.execute(
            select(AppUser.login)
            .join(AuditEntry, AuditEntry.user_id == AppUser.id)
            .where(AuditEntry.object_kind == "company")
        ).scalar_one()
    assert author == name
