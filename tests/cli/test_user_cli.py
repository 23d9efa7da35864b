"""``qstui user …`` end to end through the root group, on both backends."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from sqlalchemy import func, select
from tests.cli.outcome import one_line_error

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AppUser, AuditEntry, UserRight
from qstui.domain.enums import Role
from qstui.services import rights as R
from qstui.services.access.passwords import verify_password

PASSWORD = "Cli-Пароль-77"


def run(db: Database, *args: str, input: str | None = None) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "user", *args], input=input)


def add(db: Database, login: str, role: str = "manager", *extra: str) -> Result:
    result = run(
        db,
        "add",
        login,
        "--name",
        login.title(),
        "--role",
        role,
        "--password-stdin",
        *extra,
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    return result


def db_rights(db: Database, login: str) -> set[str]:
    with db.reader() as s:
        return set(
            s.scalars(
                select(UserRight.right_code)
                .join(AppUser, AppUser.id == UserRight.user_id)
                .where(AppUser.login == login)
            )
        )


def db_user(db: Database, login: str) -> dict:
    with db.reader() as s:
        user = s.scalar(select(AppUser).where(AppUser.login == login))
        assert user is not None
        return {
            "pass_hash": user.pass_hash,
            "is_locked": user.is_locked,
            "failed_logins": user.failed_logins,
        }


def audit_texts(db: Database) -> list[str]:
    with db.reader() as s:
        return [
            json.dumps(changes, ensure_ascii=False)
            for changes in s.scalars(select(AuditEntry.changes).order_by(AuditEntry.id))
        ]


def test_add_with_prompt_then_list_shows_the_user(db):
    result = run(
        db,
        "add",
        "Anna",
        "--name",
        "Анна Петрова",
        "--role",
        "head",
        "--department",
        "Продажи",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "anna" in result.stdout
    assert PASSWORD not in result.output

    stored = db_user(db, "anna")["pass_hash"]
    assert stored.startswith("$argon2")
    assert stored != PASSWORD and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert audit_texts(db) and all(PASSWORD not in text for text in audit_texts(db))
    assert db_rights(db, "anna") == R.PRESETS[Role.HEAD]

    listing = run(db, "list")
    assert listing.exit_code == 0, listing.output
    assert "anna" in listing.stdout and "Анна Петрова" in listing.stdout
    assert "Продажи" in listing.stdout and "head" in listing.stdout
    assert PASSWORD not in listing.output

    as_json = run(db, "list", "--json")
    assert as_json.exit_code == 0, as_json.output
    users = json.loads(as_json.stdout)
    assert [u["login"] for u in users] == ["anna"]
    assert users[0]["full_name"] == "Анна Петрова"
    assert users[0]["role"] == "head" and users[0]["department"] == "Продажи"
    assert users[0]["is_locked"] is False
    assert set(users[0]["rights"]) == R.PRESETS[Role.HEAD]
    assert "pass_hash" not in users[0]


def test_add_prompt_asks_again_when_the_passwords_differ(db):
    result = run(
        db,
        "add",
        "anna",
        "--name",
        "Anna",
        "--role",
        "manager",
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert verify_password(db_user(db, "anna")["pass_hash"], PASSWORD)
    assert PASSWORD not in result.output


def test_add_refuses_a_short_password_and_a_taken_login(db):
    result = run(
        db,
        "add",
        "anna",
        "--name",
        "Anna",
        "--role",
        "manager",
        "--password-stdin",
        input="abc\n",
    )
    one_line_error(result, "password")
    assert run(db, "list", "--json").stdout.strip() == "[]"
    add(db, "anna")
    again = run(
        db,
        "add",
        "ANNA",
        "--name",
        "Anna",
        "--role",
        "admin",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    one_line_error(again, "anna")


def test_bad_role_is_a_usage_error(db):
    result = run(
        db,
        "add",
        "anna",
        "--name",
        "Anna",
        "--role",
        "boss",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert json.loads(run(db, "list", "--json").stdout) == []


def test_copy_rights_copies_exactly(db):
    add(db, "boss", "admin")
    add(db, "source", "manager")
    add(db, "target", "head")
    assert run(db, "grant", "source", R.EXPORT, R.ONEC_EXCHANGE).exit_code == 0
    assert run(db, "revoke", "source", R.FUNNEL, R.EDIT).exit_code == 0
    assert run(db, "grant", "target", R.SEE_ALL, R.USERS_ADMIN).exit_code == 0
    source = db_rights(db, "source")
    assert source == (R.PRESETS[Role.MANAGER] | {R.EXPORT, R.ONEC_EXCHANGE}) - {R.FUNNEL, R.EDIT}
    target_before = db_rights(db, "target")
    assert target_before - source, "the target has extra rights to lose"
    audit_before = len(audit_texts(db))

    result = run(db, "copy-rights", "source", "target")
    assert result.exit_code == 0, result.output
    assert db_rights(db, "target") == source
    assert db_rights(db, "source") == source
    texts = audit_texts(db)
    assert len(texts) == audit_before + 1
    changes = json.loads(texts[-1])
    assert set(changes["rights"][0]) == target_before
    assert set(changes["rights"][1]) == source

    shown = json.loads(run(db, "rights", "target", "--json").stdout)
    assert {row["code"] for row in shown} == source


def test_grant_unknown_right_fails_in_one_line_and_changes_nothing(db):
    add(db, "anna")
    before, audit_before = db_rights(db, "anna"), len(audit_texts(db))
    result = run(db, "grant", "anna", R.EXPORT, "teleport")
    one_line_error(result, "teleport")
    assert db_rights(db, "anna") == before
    assert len(audit_texts(db)) == audit_before


def test_grant_and_revoke(db):
    add(db, "anna")
    result = run(db, "grant", "anna", R.DELETE, R.EXPORT)
    assert result.exit_code == 0, result.output
    assert {R.DELETE, R.EXPORT} <= db_rights(db, "anna")
    result = run(db, "revoke", "anna", R.DELETE, R.CLIENTS)
    assert result.exit_code == 0, result.output
    assert db_rights(db, "anna") == (R.PRESETS[Role.MANAGER] | {R.EXPORT}) - {R.CLIENTS}
    assert run(db, "grant", "anna").exit_code == 2  # at least one right is required


def test_lock_unlock_and_passwd(db):
    add(db, "boss", "admin")
    add(db, "anna")

    result = run(db, "lock", "anna")
    assert result.exit_code == 0, result.output
    assert db_user(db, "anna")["is_locked"] is True
    listing = json.loads(run(db, "list", "--json").stdout)
    assert {u["login"]: u["is_locked"] for u in listing} == {"anna": True, "boss": False}

    result = run(db, "unlock", "anna")
    assert result.exit_code == 0, result.output
    assert db_user(db, "anna")["is_locked"] is False

    with db.transaction() as s:
        s.scalar(select(AppUser).where(AppUser.login == "anna")).failed_logins = 4
    new_password = "другой-пароль"
    result = run(db, "passwd", "anna", "--password-stdin", input=new_password + "\n")
    assert result.exit_code == 0, result.output
    assert new_password not in result.output
    row = db_user(db, "anna")
    assert verify_password(row["pass_hash"], new_password)
    assert not verify_password(row["pass_hash"], PASSWORD)
    assert row["failed_logins"] == 0
    assert all(new_password not in text for text in audit_texts(db))

    result = run(db, "passwd", "anna", input="prompted1\nprompted1\n")
    assert result.exit_code == 0, result.output
    assert verify_password(db_user(db, "anna")["pass_hash"], "prompted1")
    assert "prompted1" not in result.output


def test_locking_the_last_admin_is_refused(db):
    add(db, "boss", "admin")
    add(db, "anna")
    one_line_error(run(db, "lock", "boss"), "boss", R.USERS_ADMIN)
    assert db_user(db, "boss")["is_locked"] is False
    one_line_error(run(db, "revoke", "boss", R.USERS_ADMIN), "boss")
    assert R.USERS_ADMIN in db_rights(db, "boss")
    one_line_error(run(db, "copy-rights", "anna", "boss"), "boss")
    assert db_rights(db, "boss") == set(R.CATALOGUE)


def test_unknown_login_fails_in_one_line(db):
    add(db, "anna")
    for args in (
        ("lock", "nobody"),
        ("unlock", "nobody"),
        ("grant", "nobody", R.EXPORT),
        ("revoke", "nobody", R.EXPORT),
        ("rights", "nobody"),
        ("copy-rights", "anna", "nobody"),
        ("copy-rights", "nobody", "anna"),
    ):
        one_line_error(run(db, *args), "nobody")
    result = run(db, "passwd", "nobody", "--password-stdin", input=PASSWORD + "\n")
    one_line_error(result, "nobody")
    assert db_rights(db, "anna") == R.PRESETS[Role.MANAGER]


def test_rights_shows_codes_descriptions_and_groups(db):
    add(db, "anna")
    assert run(db, "grant", "anna", R.EXPORT).exit_code == 0
    result = run(db, "rights", "anna")
    assert result.exit_code == 0, result.output
    for code in R.PRESETS[Role.MANAGER] | {R.EXPORT}:
        assert code in result.stdout
    assert R.CATALOGUE[R.EXPORT] in result.stdout
    assert R.USERS_ADMIN not in result.stdout
    rows = json.loads(run(db, "rights", "anna", "--json").stdout)
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) == R.PRESETS[Role.MANAGER] | {R.EXPORT}
    assert by_code[R.CLIENTS]["group"] == "module"
    assert by_code[R.SEE_OWN]["group"] == "visibility"
    assert by_code[R.EXPORT]["group"] == "action"
    assert by_code[R.EXPORT]["description"] == R.CATALOGUE[R.EXPORT]
    assert [row["group"] for row in rows] == sorted(
        (row["group"] for row in rows), key=["module", "visibility", "action"].index
    )


def test_help_lists_the_rights_catalogue(backend):
    result = CliRunner().invoke(cli, ["user", "--help"])
    assert result.exit_code == 0
    for code, description in R.CATALOGUE.items():
        assert code in result.stdout
        assert description in result.stdout


def test_list_counts_users(db):
    add(db, "anna")
    add(db, "boss", "admin", "--department", "Дирекция")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AppUser)) == 2
    users = {u["login"]: u for u in json.loads(run(db, "list", "--json").stdout)}
    assert users["boss"]["department"] == "Дирекция"
    assert len(users["boss"]["rights"]) == len(R.CATALOGUE)
    table = run(db, "list").stdout
    assert str(len(R.CATALOGUE)) in table and str(len(R.PRESETS[Role.MANAGER])) in table
