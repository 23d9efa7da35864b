"""``qstui event …`` end to end through the root group, on both backends.

The CLI reads the clock, stopped here at 25.11.2026 10:00 Moscow time (UTC+3) whatever
day the tests run (``QSTUI_TEST_NOW`` included): the dates below are fixed, so the plans
are in the future and the logged interactions in the past.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import Company, Event, EventResult
from qstui.domain import calendar as cal
from qstui.domain import clock
from qstui.domain.enums import EventStatus, Role
from qstui.domain.normalize import company_name, fold
from qstui.services.access.users import create_user
from qstui.services.context import Context


@pytest.fixture(autouse=True)
def _moscow(monkeypatch, clock_at):
    """Local time is UTC+3 (the setting the CLI configures the clock from at start), and
    the clock stands at 25.11.2026 10:00 there."""
    before = clock.zone()
    monkeypatch.setenv("QSTUI_TZ", "+03:00")
    clock.set_zone("+03:00")
    clock_at(datetime(2026, 11, 25, 10, 0))
    yield
    clock.set_zone(before)


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "event", *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


@pytest.fixture
def world(db: Database) -> dict[str, int]:
    system = Context.system(db)
    ids = {
        "anna": create_user(system, "anna", "Anna", Role.MANAGER, "pass-1234", "Продажи"),
        "boris": create_user(system, "boris", "Boris", Role.MANAGER, "pass-1234", "Продажи"),
    }
    with db.transaction() as s:
        for key, name, manager in (
            ("romashka", "Ромашка", ids["anna"]),
            ("vasilek", "Василек", ids["boris"]),
        ):
            row = Company(
                name=name, name_fold=fold(name), name_key=company_name(name), manager_id=manager
            )
            s.add(row)
            s.flush()
            ids[key] = row.id
    sign_in(db, "anna", "boris")
    return ids


def events(db: Database) -> list[Event]:
    with db.reader() as s:
        rows = list(s.scalars(select(Event).order_by(Event.id)))
        s.expunge_all()
        return rows


def test_plan_list_and_json(db, world):
    out = ok(
        run(
            db,
            "plan",
            str(world["romashka"]),
            "--type",
            "meeting",
            "--subject",
            "Встреча по проекту",
            "--at",
            "10.03.2030 10:00",
            "--remind",
            "30",
            "--as",
            "anna",
        )
    )
    [event] = events(db)
    assert f"Interaction {event.id} planned for 10.03.2030 10:00" in out
    assert event.status == EventStatus.PLANNED
    assert event.event_at == datetime(2030, 3, 10, 7, 0)  # stored in UTC
    assert event.remind_at == datetime(2030, 3, 10, 6, 30)
    assert event.responsible_id == world["anna"]

    out = ok(run(db, "list", "--day", "10.03.2030", "--as", "anna"))
    assert "Events of 10.03.2030" in out
    assert "Встреча по проекту" in out and "Ромашка" in out and "10:00" in out

    data = json.loads(ok(run(db, "list", "--week", "06.03.2030", "--as", "anna", "--json")))
    assert (data["first"], data["last"]) == ("2030-03-04", "2030-03-10")
    assert len(data["days"]) == 7
    [row] = [e for d in data["days"] for e in d["events"]]
    assert row["id"] == event.id and row["local_at"] == "2030-03-10T10:00:00"
    assert row["status"] == "planned" and row["overdue"] is False

    month = json.loads(ok(run(db, "list", "--month", "03.2030", "--as", "anna", "--json")))
    assert len(month["days"]) == 31
    assert ok(run(db, "list", "--month", "04.2030", "--as", "anna")).count("No events") == 1

    # boris sees nothing of it and may not open anna's calendar
    assert "No events" in ok(run(db, "list", "--day", "10.03.2030", "--as", "boris"))
    one_line_error(
        run(db, "list", "--day", "10.03.2030", "--manager", "anna", "--as", "boris"),
        "calendar of another manager",
    )
    # the administrator sees every manager's events, with the manager column
    out = ok(run(db, "list", "--day", "10.03.2030"))
    assert "Встреча по проекту" in out and "Anna" in out


def test_log_and_done(db, world):
    out = ok(
        run(
            db,
            "log",
            str(world["romashka"]),
            "--type",
            "call",
            "--subject",
            "Обсудили счёт",
            "--result",
            "отправлено кп",  # a name from the results book, any case
            "--at",
            "03.03.2026 15:30",
            "--as",
            "anna",
        )
    )
    [logged] = events(db)
    assert f"Interaction {logged.id} recorded" in out
    assert logged.status == EventStatus.DONE
    assert logged.done_at == datetime(2026, 3, 3, 12, 30)
    with db.reader() as s:
        assert s.scalar(select(EventResult.name).where(EventResult.id == logged.result_id)) == (
            "Отправлено КП"
        )
        assert s.scalar(
            select(Company.last_contact_at).where(Company.id == world["romashka"])
        ) == datetime(2026, 3, 3, 12, 30)

    ok(
        run(
            db,
            "plan",
            str(world["romashka"]),
            "--type",
            "call",
            "--subject",
            "Перезвонить",
            "--at",
            "01.02.2026 10:00",
            "--as",
            "anna",
        )
    )
    plan = events(db)[-1]
    out = ok(run(db, "list", "--overdue", "--as", "anna"))
    assert "Перезвонить" in out and "overdue" in out

    # boris may not complete anna's plan
    one_line_error(run(db, "done", str(plan.id), "--as", "boris"), "not found")
    assert events(db)[-1].status == EventStatus.PLANNED

    data = json.loads(
        ok(run(db, "done", str(plan.id), "--result", "Ждут договор", "--as", "anna", "--json"))
    )
    done = events(db)[-1]
    assert done.id == plan.id and done.status == EventStatus.DONE
    assert done.result_text == "Ждут договор" and done.result_id is None
    assert data["event_id"] == plan.id and data["version"] == done.version
    suggested = cal.to_local(datetime.fromisoformat(data["next_plan"]["event_at"]))
    assert (suggested.hour, suggested.minute) == (10, 0) and suggested.weekday() < 5
    assert data["next_plan"]["subject"] == "Перезвонить"
    assert data["next_event_id"] is None

    # completing twice is refused; --plan-next plans the suggestion
    one_line_error(run(db, "done", str(plan.id), "--as", "anna"), "planned")
    ok(
        run(
            db,
            "plan",
            str(world["romashka"]),
            "--type",
            "call",
            "--subject",
            "Ещё раз",
            "--at",
            "02.02.2026 10:00",
            "--as",
            "anna",
        )
    )
    second = events(db)[-1]
    out = ok(run(db, "done", str(second.id), "--plan-next", "--as", "anna"))
    following = events(db)[-1]
    assert following.id != second.id and following.status == EventStatus.PLANNED
    assert following.subject == "Ещё раз"
    assert f"Next interaction {following.id} planned for" in out


def test_today_by_default_and_admin_sees_everyone(db, world):
    ok(
        run(
            db, "log", str(world["romashka"]), "--type", "call", "--subject", "Анна", "--as", "anna"
        )
    )
    ok(run(db, "log", str(world["vasilek"]), "--type", "call", "--subject", "Борис"))
    [_, by_admin] = events(db)
    assert by_admin.responsible_id == world["boris"]  # the client's manager

    mine = ok(run(db, "list", "--as", "anna"))
    assert "Анна" in mine and "Борис" not in mine
    everyone = ok(run(db, "list"))
    assert "Анна" in everyone and "Борис" in everyone
    data = json.loads(ok(run(db, "list", "--json")))
    assert {e["subject"] for d in data["days"] for e in d["events"]} == {"Анна", "Борис"}
    assert data["user_id"] is None


def test_errors_are_one_line_or_usage(db, world):
    before = events(db)
    one_line_error(
        run(db, "log", str(world["vasilek"]), "--type", "call", "--subject", "X", "--as", "anna"),
        "not found",
    )
    one_line_error(
        run(db, "log", str(world["romashka"]), "--type", "fax", "--subject", "X", "--as", "anna"),
        "fax",
    )
    one_line_error(
        run(db, "plan", str(world["romashka"]), "--type", "call", "--subject", " ", "--at",
            "10.03.2030 10:00", "--as", "anna"),
        "subject",
    )  # fmt: skip
    one_line_error(run(db, "list", "--manager", "nobody"), "nobody")
    assert events(db) == before

    result = run(db, "list", "--day", "10.03.2030", "--week", "10.03.2030")
    assert result.exit_code == 2 and "only one of" in result.output
    result = run(
        db, "plan", "1", "--type", "call", "--subject", "X", "--at", "завтра в обед", "--as", "anna"
    )
    assert result.exit_code == 2 and "DD.MM.YYYY HH:MM" in result.output
    result = run(db, "list", "--month", "13.2030")
    assert result.exit_code == 2


def test_types(db, world):
    out = ok(run(db, "types"))
    assert "call" in out and "meeting" in out
    data = json.loads(ok(run(db, "types", "--json", "--as", "anna")))
    assert [t["code"] for t in data][:5] == ["call", "meeting", "letter", "demo", "other"]
