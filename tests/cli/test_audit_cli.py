"""``qstui audit list`` end to end through the root group, on both backends."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.proof import sign_in

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AuditEntry
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import LoginFailed
from qstui.services import audit
from qstui.services.access import users as U
from qstui.services.context import Context, context_for

PASSWORD = "Cli-audit-42"


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["--db", url, "audit", *args])


def assert_one_line_error(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if code == 1:
        assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def add_entry(db, ctx, kind, object_id, changes, at, action=AuditAction.UPDATE) -> int:
    with db.transaction() as s:
        audit.record(s, ctx, action, kind, object_id, changes)
        s.flush()
        row = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        row.logged_at = at
        return row.id


@pytest.fixture
def log(db: Database) -> dict[str, int]:
    system = Context.system(db)
    U.create_user(system, "anna", "Анна Иванова", Role.MANAGER, PASSWORD)
    anna = context_for(db, "anna")
    renamed = {"name": ["Ромашка", "Ромашка-Плюс"], "rating": [None, 3]}
    return {
        "create": add_entry(
            db, anna, "company", 42, {"name": [None, "Ромашка"]}, datetime(2025, 1, 10, 9),
            AuditAction.CREATE,
        ),
        "rename": add_entry(db, anna, "company", 42, renamed, datetime(2025, 2, 10, 9)),
        "deal": add_entry(
            db, system, "deal", 7, {"title": ["Старая", None]}, datetime(2025, 3, 1, 9),
            AuditAction.DELETE,
        ),
    }  # fmt: skip


def listed(db: Database, *args: str) -> list[dict]:
    result = run(db, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_output_parses_newest_first(db, log):
    records = listed(db)
    ids = [r["id"] for r in records]
    assert ids[-3:] == [log["deal"], log["rename"], log["create"]]
    rename = next(r for r in records if r["id"] == log["rename"])
    assert rename == {
        "id": log["rename"],
        "logged_at": "2025-02-10T09:00:00",
        "user_login": "anna",
        "user_name": "Анна Иванова",
        "action": "update",
        "object_kind": "company",
        "object_id": 42,
        "changes": {"name": ["Ромашка", "Ромашка-Плюс"], "rating": [None, 3]},
        "os_user": None,  # written by a service call, not by the CLI
        "os_host": None,
    }
    deal = next(r for r in records if r["id"] == log["deal"])
    assert (deal["user_login"], deal["action"]) == ("system", "delete")


def test_filters(db, log):
    assert [r["id"] for r in listed(db, "--object", "company:42")] == [log["rename"], log["create"]]
    assert [r["id"] for r in listed(db, "--object", "DEAL")] == [log["deal"]]
    assert [r["id"] for r in listed(db, "--object", "company:43")] == []
    assert [r["id"] for r in listed(db, "--user", "anna")] == [log["rename"], log["create"]]
    assert log["deal"] in [r["id"] for r in listed(db, "--user", "system")]
    for day in ("11.02.2025", "2025-02-11"):
        since = [r["id"] for r in listed(db, "--since", day)]
        assert log["deal"] in since and log["rename"] not in since and log["create"] not in since
    assert len(listed(db, "--limit", "1")) == 1
    both = listed(db, "--object", "company", "--user", "anna", "--since", "01.02.2025")
    assert [r["id"] for r in both] == [log["rename"]]


def test_table_has_one_line_per_changed_field(db, log):
    result = run(db, "list", "--object", "company:42")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "name: Ромашка → Ромашка-Плюс" in out
    assert "rating: — → 3" in out
    assert "name: Ромашка" in out  # the creation shows the new value
    assert "company:42" in out and "anna" in out
    assert "10.02.2025" in out or "09.02.2025" in out or "11.02.2025" in out  # local time
    result = run(db, "list", "--object", "claim")
    assert result.exit_code == 0
    assert "No audit records" in result.stdout


def test_failed_logins_are_listed_with_their_facts(db, log):
    from qstui.services.access import auth
    from qstui.services.access.settings import set_setting

    set_setting(Context.system(db), "auth.max_attempts", 2)
    for _ in range(2):
        with pytest.raises(LoginFailed):
            auth.login(db, "anna", "wrong-guess", source="ssh 192.0.2.1")
    result = run(db, "list", "--object", "user")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "login failed" in out and "locked by failed logins" in out
    assert "outcome: failed" in out and "outcome: locked" in out and "attempt: 2" in out
    assert "source: ssh 192.0.2.1" in out and "→" not in out
    assert "wrong-guess" not in out


@pytest.mark.parametrize("value", ["company:x", ":5", "company:", "", "comp any:1", "company:-1"])
def test_a_bad_object_is_a_usage_error(db, log, value):
    assert_one_line_error(run(db, "list", "--object", value), 2, "--object")


@pytest.mark.parametrize("value", ["31.02.2025", "yesterday", "2025-13-01", ""])
def test_a_bad_date_is_a_usage_error(db, log, value):
    assert_one_line_error(run(db, "list", "--since", value), 2, "--since")


def test_bad_limit_is_a_usage_error(db, log):
    assert_one_line_error(run(db, "list", "--limit", "0"), 2, "--limit")


def test_expected_failures_are_one_line(db, log):
    assert_one_line_error(run(db, "list", "--user", "nobody"), 1, "nobody")
    sign_in(db, "anna")
    assert_one_line_error(run(db, "list", "--as", "anna"), 1, "Access denied")
