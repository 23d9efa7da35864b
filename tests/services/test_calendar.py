"""Interactions, plans and calendar views (K1–K3) on both backends.

Local time is Moscow (UTC+3); "now" is frozen: Wednesday 04.03.2026 12:00 local.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from calendar_support import (
    Team,
    audit_count,
    company,
    company_version,
    contact,
    count,
    deal,
    event_refbooks_restored,
    event_values,
    last_contact,
    local,
    make_team,
    moscow_time,
    result_id,
    type_id,
)
from sqlalchemy import select

from qstui.db.models import AuditEntry, Event, EventType
from qstui.domain import calendar as cal
from qstui.domain.calendar import Completion, DayCounts, EventRow, PeriodView
from qstui.domain.enums import AuditAction, EventStatus
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services.calendar import event_types as ET
from qstui.services.calendar import events as C
from qstui.services.calendar import lists as calendar_lists


@pytest.fixture(autouse=True)
def _moscow(db):
    with moscow_time(), event_refbooks_restored(db):
        yield


NOW = datetime(2026, 3, 4, 9, 0)  # Wednesday 12:00 in Moscow (UTC+3), as stored


@pytest.fixture
def team(db) -> Team:
    return make_team(db)


@pytest.fixture
def world(db, team):
    """Two companies of anna, one of boris, one of vera; a contact and a deal of Ромашка."""
    ids = {
        "romashka": company(db, "Ромашка", team.id("anna")),
        "lutik": company(db, "Лютик", team.id("anna")),
        "vasilek": company(db, "Василек", team.id("boris")),
        "roza": company(db, "Роза", team.id("vera")),
    }
    ids["ivanov"] = contact(db, ids["romashka"], "Иванов", "Пётр")
    ids["petrov"] = contact(db, ids["lutik"], "Петров")
    ids["deal"] = deal(db, ids["romashka"], team.id("anna"), "Поставка роутеров", "1000")
    ids["other_deal"] = deal(db, ids["lutik"], team.id("anna"), "Сервис", "10")
    return ids


# --- logging and planning ----------------------------------------------------------------


def test_log_interaction_records_a_done_event_and_the_last_contact(db, team, world):
    when = local(2026, 3, 3, 15, 30)
    before_version = company_version(db, world["romashka"])
    event_id = C.log_interaction(
        team.anna,
        world["romashka"],
        "call",
        "  Обсудили поставку  ",
        when=when,
        contact_id=world["ivanov"],
        deal_id=world["deal"],
        result_id=result_id(db, "Отправлено КП"),
        result_text="Ждут КП до пятницы",
        now=NOW,
    )
    row = event_values(db, event_id)
    assert row is not None
    assert row["status"] == EventStatus.DONE
    assert row["subject"] == "Обсудили поставку"
    assert row["event_at"] == when and row["done_at"] == when
    assert row["responsible_id"] == team.id("anna")
    assert row["created_by"] == team.id("anna")
    assert row["type_id"] == type_id(db, "call")
    assert last_contact(db, world["romashka"]) == when
    # the derived column does not bump the company's version (an open card stays saveable)
    assert company_version(db, world["romashka"]) == before_version
    with db.reader() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.object_kind == "event"))
        assert entry.action == AuditAction.CREATE and entry.object_id == event_id
        assert entry.user_id == team.id("anna")

    card = calendar_lists.get_event(team.anna, event_id, now=NOW)
    assert card.row.contact_name == "Иванов Пётр"
    assert card.row.deal_title == "Поставка роутеров"
    assert card.row.company_name == "Ромашка"
    assert card.row.type_name == "Call"  # tests run in English
    assert card.row.result == "Отправлено КП: Ждут КП до пятницы"
    assert card.row.local_at == datetime(2026, 3, 3, 15, 30)
    assert card.row.overdue is False


def test_validation_collects_every_bad_field_and_writes_nothing(db, team, world):
    before = (count(db, Event), audit_count(db))
    with pytest.raises(ValidationFailed) as caught:
        C.log_interaction(
            team.anna,
            world["romashka"],
            "telepathy",
            "x" * 251,
            when=NOW + timedelta(hours=1),
            contact_id=world["petrov"],  # of Лютик
            deal_id=world["other_deal"],  # of Лютик
            result_text="y" * 2001,
            now=NOW,
        )
    errors = caught.value.errors
    assert set(errors) == {"type", "subject", "contact", "deal", "result_text", "event_at"}
    assert "telepathy" in errors["type"]
    assert "250" in errors["subject"]
    assert "future" in errors["event_at"]
    with pytest.raises(ValidationFailed) as caught:
        C.plan_event(team.anna, world["romashka"], "call", "   ", NOW, remind_minutes=-5)
    assert set(caught.value.errors) == {"subject", "remind"}
    assert (count(db, Event), audit_count(db)) == before


def test_an_inactive_type_is_refused_for_new_events(db, team, world):
    info = next(t for t in ET.list_event_types(team.anna) if t.code == "demo")
    ET.deactivate_event_type(team.system, info.id, info.version)
    assert "demo" not in [t.code for t in ET.list_event_types(team.anna)]
    with pytest.raises(ValidationFailed) as caught:
        C.plan_event(team.anna, world["romashka"], "demo", "Показ", NOW)
    assert "no longer used" in caught.value.errors["type"]


def test_plan_complete_and_the_suggested_next_plan(db, team, world):
    meeting_at = local(2026, 3, 6, 11, 0)  # Friday
    event_id = C.plan_event(
        team.anna,
        world["romashka"],
        "meeting",
        "Встреча у клиента",
        meeting_at,
        remind_minutes=30,
        contact_id=world["ivanov"],
        deal_id=world["deal"],
    )
    row = event_values(db, event_id)
    assert row["status"] == EventStatus.PLANNED
    assert row["remind_at"] == meeting_at - timedelta(minutes=30)
    assert row["done_at"] is None
    assert last_contact(db, world["romashka"]) is None  # a plan is not a contact

    done_at = local(2026, 3, 6, 12, 15)
    completion = C.complete_event(
        team.anna,
        event_id,
        row["version"],
        result_id=result_id(db, "Клиент думает"),
        result_text="Решат до конца месяца",
        done_at=done_at,
        now=done_at,
    )
    assert isinstance(completion, Completion)
    after = event_values(db, event_id)
    assert completion.version == after["version"] == row["version"] + 1
    assert after["status"] == EventStatus.DONE and after["done_at"] == done_at
    assert after["result_text"] == "Решат до конца месяца"
    assert last_contact(db, world["romashka"]) == done_at

    nxt = completion.next_plan
    assert nxt.company_id == world["romashka"]
    assert nxt.contact_id == world["ivanov"] and nxt.deal_id == world["deal"]
    assert nxt.event_type == type_id(db, "meeting")
    assert nxt.subject == "Встреча у клиента"
    assert nxt.responsible_id == team.id("anna")
    # done on Friday → the next working day is Monday, 10:00 Moscow = 07:00 UTC
    assert cal.to_local(nxt.event_at) == datetime(2026, 3, 9, 10, 0)
    assert nxt.event_at == datetime(2026, 3, 9, 7, 0)

    next_id = C.plan_from(team.anna, nxt)
    planned = event_values(db, next_id)
    assert planned["status"] == EventStatus.PLANNED
    assert planned["event_at"] == datetime(2026, 3, 9, 7, 0)
    assert planned["remind_at"] == datetime(2026, 3, 9, 6, 45)

    with pytest.raises(ValidationFailed) as caught:
        C.complete_event(team.anna, event_id, completion.version, now=NOW)
    assert "planned" in caught.value.errors["status"]


def test_the_admin_context_assigns_the_company_manager(db, team, world):
    event_id = C.log_interaction(team.system, world["vasilek"], "letter", "Письмо", now=NOW)
    assert event_values(db, event_id)["responsible_id"] == team.id("boris")
    orphan = company(db, "Без менеджера", None)
    with pytest.raises(ValidationFailed) as caught:
        C.log_interaction(team.system, orphan, "call", "Звонок", now=NOW)
    assert set(caught.value.errors) == {"responsible"}


def test_a_manager_cannot_assign_events_to_a_colleague_but_the_head_can(db, team, world):
    with pytest.raises(ValidationFailed) as caught:
        C.plan_event(
            team.anna, world["romashka"], "call", "Звонок", NOW, responsible_id=team.id("boris")
        )
    assert set(caught.value.errors) == {"responsible"}
    event_id = C.plan_event(
        team.head, world["romashka"], "call", "Звонок", NOW, responsible_id=team.id("boris")
    )
    assert event_values(db, event_id)["responsible_id"] == team.id("boris")


# --- last contact ------------------------------------------------------------------------


def test_last_contact_is_the_latest_done_interaction_also_after_delete_and_move(db, team, world):
    cid = world["romashka"]
    early = C.log_interaction(team.anna, cid, "call", "Первый", when=local(2026, 3, 1, 10), now=NOW)
    late = C.log_interaction(team.anna, cid, "call", "Второй", when=local(2026, 3, 3, 10), now=NOW)
    # an older interaction logged afterwards does not lower it
    C.log_interaction(team.anna, cid, "letter", "Старое", when=local(2026, 2, 1, 10), now=NOW)
    assert last_contact(db, cid) == local(2026, 3, 3, 10)

    C.delete_event(team.head, late)
    assert last_contact(db, cid) == local(2026, 3, 1, 10)

    # moving a done interaction moves its done time and recomputes the company's
    version = event_values(db, early)["version"]
    C.update_event(team.anna, early, version, event_at=local(2026, 2, 20, 9), now=NOW)
    assert event_values(db, early)["done_at"] == local(2026, 2, 20, 9)
    assert last_contact(db, cid) == local(2026, 2, 20, 9)

    # moving it to another company recomputes both
    version = event_values(db, early)["version"]
    C.update_event(team.anna, early, version, company_id=world["lutik"], now=NOW)
    assert last_contact(db, cid) == local(2026, 2, 1, 10)
    assert last_contact(db, world["lutik"]) == local(2026, 2, 20, 9)

    for event_id in [e for e in _company_event_ids(db, cid)]:
        C.delete_event(team.head, event_id)
    assert last_contact(db, cid) is None


def _company_event_ids(db, company_id: int) -> list[int]:
    with db.reader() as s:
        return list(s.scalars(select(Event.id).where(Event.company_id == company_id)))


def test_a_future_move_of_a_done_interaction_is_refused(db, team, world):
    event_id = C.log_interaction(
        team.anna, world["romashka"], "call", "Звонок", when=local(2026, 3, 4, 9), now=NOW
    )
    version = event_values(db, event_id)["version"]
    with pytest.raises(ValidationFailed):
        C.update_event(team.anna, event_id, version, event_at=NOW + timedelta(days=1), now=NOW)
    assert event_values(db, event_id)["event_at"] == local(2026, 3, 4, 9)


# --- views -------------------------------------------------------------------------------


def _plan(team: Team, world, at: datetime, subject: str = "План", who: str = "anna") -> int:
    company_id = world["romashka"] if who == "anna" else world["vasilek"]
    return C.plan_event(getattr(team, who), company_id, "call", subject, at)


def test_week_runs_monday_to_sunday_in_local_time(db, team, world):
    sunday_late = _plan(team, world, local(2026, 3, 8, 23, 59), "Воскресенье 23:59")
    monday_first = _plan(team, world, local(2026, 3, 9, 0, 0), "Понедельник 00:00")
    monday_before = _plan(team, world, local(2026, 3, 1, 23, 59), "Прошлое воскресенье")
    this_monday = _plan(team, world, local(2026, 3, 2, 0, 0), "Этот понедельник")

    view = calendar_lists.week(team.anna, date(2026, 3, 4), now=NOW)
    assert isinstance(view, PeriodView)
    assert (view.first, view.last) == (date(2026, 3, 2), date(2026, 3, 8))
    assert [d.day for d in view.days] == [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]
    assert [e.id for e in view.events] == [this_monday, sunday_late]
    assert view.agenda(date(2026, 3, 8)).events[0].local_at == datetime(2026, 3, 8, 23, 59)

    following = calendar_lists.week(team.anna, date(2026, 3, 9), now=NOW)
    assert [e.id for e in following.events] == [monday_first]
    previous = calendar_lists.week(team.anna, date(2026, 3, 1), now=NOW)
    assert [e.id for e in previous.events] == [monday_before]


def test_day_and_month_views(db, team, world):
    morning = _plan(team, world, local(2026, 3, 4, 0, 0), "Полночь")
    evening = _plan(team, world, local(2026, 3, 4, 23, 59), "Вечер")
    _plan(team, world, local(2026, 3, 5, 0, 0), "Завтра")
    jan_last = _plan(team, world, local(2026, 1, 31, 23, 59), "Конец января")
    feb_first = _plan(team, world, local(2026, 2, 1, 0, 0), "Начало февраля")
    _plan(team, world, local(2026, 3, 4, 10, 0), "Чужой", who="boris")

    today = calendar_lists.day(team.anna, date(2026, 3, 4), now=NOW)
    assert [e.id for e in today.events] == [morning, evening]
    assert [e.overdue for e in today.events] == [True, False]
    row = today.events[0]
    assert isinstance(row, EventRow)
    assert (row.company_name, row.responsible_name, row.type_code) == ("Ромашка", "Anna", "call")

    # the month brings counts (no rows), or every row when asked
    january = calendar_lists.month(team.anna, 2026, 1, now=NOW)
    assert len(january.days) == 31 and january.events == []
    assert {a.day: a.total for a in january.days if a.total} == {date(2026, 1, 31): 1}
    assert january.agenda(date(2026, 1, 31)).overdue == 1
    rows = calendar_lists.month(team.anna, 2026, 1, now=NOW, per_day=None)
    assert [e.id for e in rows.events] == [jan_last]
    february = calendar_lists.month(team.anna, 2026, 2, now=NOW, per_day=None)
    assert len(february.days) == 28
    assert [e.id for e in february.events] == [feb_first]
    march = calendar_lists.month(team.anna, 2026, 3, now=NOW)
    assert march.agenda(date(2026, 3, 4)).tally == DayCounts(planned=2, overdue=1)
    with pytest.raises(ValidationFailed):
        calendar_lists.month(team.anna, 2026, 13)

    # the admin context sees every manager's day
    everyone = calendar_lists.day(team.system, date(2026, 3, 4), now=NOW)
    assert {e.subject for e in everyone.events} == {"Полночь", "Вечер", "Чужой"}


def test_cancelled_events_are_hidden_unless_asked(db, team, world):
    event_id = _plan(team, world, local(2026, 3, 4, 15, 0))
    version = event_values(db, event_id)["version"]
    C.cancel_event(team.anna, event_id, version, note="Клиент заболел")
    assert event_values(db, event_id)["status"] == EventStatus.CANCELLED
    assert event_values(db, event_id)["notes"] == "Клиент заболел"
    assert calendar_lists.day(team.anna, date(2026, 3, 4), now=NOW).events == []
    shown = calendar_lists.day(team.anna, date(2026, 3, 4), now=NOW, include_cancelled=True).events
    assert [e.status for e in shown] == [EventStatus.CANCELLED]


def test_overdue_lists_past_plans_only(db, team, world):
    old = _plan(team, world, local(2026, 3, 2, 10), "Давно")
    earlier_today = _plan(team, world, local(2026, 3, 4, 11, 59), "Утром")
    _plan(team, world, local(2026, 3, 4, 12, 1), "Скоро")
    C.log_interaction(
        team.anna, world["romashka"], "call", "Сделано", when=local(2026, 3, 1), now=NOW
    )
    cancelled = _plan(team, world, local(2026, 3, 1, 10), "Отменено")
    C.cancel_event(team.anna, cancelled, event_values(db, cancelled)["version"])
    boris_late = _plan(team, world, local(2026, 3, 3, 10), "Борис опоздал", who="boris")

    rows = calendar_lists.overdue(team.anna, now=NOW)
    assert [r.id for r in rows] == [old, earlier_today]
    assert all(r.overdue for r in rows)
    assert [r.id for r in calendar_lists.overdue(team.boris, now=NOW)] == [boris_late]
    assert [r.id for r in calendar_lists.overdue(team.head, user_id=team.id("boris"), now=NOW)] == [
        boris_late
    ]


def test_reminders_due_between_remind_time_and_start(db, team, world):
    at = local(2026, 3, 4, 12, 10)
    soon = C.plan_event(team.anna, world["romashka"], "call", "Через 10 минут", at)  # remind 11:55
    C.plan_event(team.anna, world["romashka"], "call", "Через час", at + timedelta(hours=1))
    C.plan_event(team.anna, world["romashka"], "call", "Без напоминания", at, remind_minutes=None)
    C.plan_event(team.boris, world["vasilek"], "call", "Чужое", at)

    assert [r.id for r in calendar_lists.reminders_due(team.anna, now=NOW)] == [soon]
    assert calendar_lists.reminders_due(team.anna, now=local(2026, 3, 4, 11, 54)) == []
    assert calendar_lists.reminders_due(team.anna, now=at) == []  # it has started
    assert calendar_lists.reminders_due(team.system, now=NOW) == []

    # moving the plan moves its reminder along
    version = C.reschedule(
        team.anna, soon, event_values(db, soon)["version"], at + timedelta(days=1)
    )
    row = event_values(db, soon)
    assert row["version"] == version
    assert row["remind_at"] == at + timedelta(days=1, minutes=-15)
    assert calendar_lists.reminders_due(team.anna, now=NOW) == []


def test_company_history_pages_and_plans(db, team, world):
    cid = world["romashka"]
    done_ids = [
        C.log_interaction(
            team.anna, cid, "call", f"Звонок {i}", when=local(2026, 2, 1 + i, 10), now=NOW
        )
        for i in range(5)
    ]
    plan = _plan(team, world, local(2026, 3, 10, 10), "Будущее")
    newest_first = done_ids[::-1]
    first = calendar_lists.company_history(team.anna, cid, limit=3, now=NOW)
    assert [r.id for r in first.rows] == newest_first[:3]
    assert first.next_cursor is not None
    second = calendar_lists.company_history(
        team.anna, cid, limit=3, cursor=first.next_cursor, now=NOW
    )
    assert [r.id for r in second.rows] == newest_first[3:]
    assert second.is_last
    # backward from the second page's first row: the newer rows, in display order
    back = calendar_lists.company_history(
        team.anna, cid, limit=2, cursor=second.cursors[0], backward=True, now=NOW
    )
    assert [r.id for r in back.rows] == newest_first[1:3]
    assert back.has_more
    oldest = calendar_lists.company_history(team.anna, cid, limit=2, backward=True, now=NOW)
    assert [r.id for r in oldest.rows] == newest_first[-2:]
    assert [r.id for r in calendar_lists.company_plans(team.anna, cid, now=NOW)] == [plan]


def test_update_event_changes_fields_with_audit(db, team, world):
    event_id = _plan(team, world, local(2026, 3, 5, 10))
    version = event_values(db, event_id)["version"]
    new_version = C.update_event(
        team.anna,
        event_id,
        version,
        subject="Новая тема",
        event_type="meeting",
        contact_id=world["ivanov"],
        remind_minutes=60,
        notes="  взять образцы ",
    )
    row = event_values(db, event_id)
    assert row["version"] == new_version == version + 1
    assert row["subject"] == "Новая тема"
    assert row["type_id"] == type_id(db, "meeting")
    assert row["remind_at"] == local(2026, 3, 5, 9)
    assert row["notes"] == "взять образцы"
    with db.reader() as s:
        changes = s.scalar(
            select(AuditEntry.changes).where(
                AuditEntry.object_kind == "event", AuditEntry.action == AuditAction.UPDATE
            )
        )
    assert changes["subject"] == ["План", "Новая тема"]
    with pytest.raises(ValidationFailed) as caught:
        C.update_event(team.anna, event_id, new_version, contact_id=world["petrov"])
    assert set(caught.value.errors) == {"contact"}
    with pytest.raises(TypeError):
        C.update_event(team.anna, event_id, new_version, status="done")


# --- concurrency -------------------------------------------------------------------------


def test_a_stale_version_conflicts_and_keeps_the_first_save(db, team, world):
    event_id = _plan(team, world, local(2026, 3, 5, 10))
    version = event_values(db, event_id)["version"]
    C.update_event(team.anna, event_id, version, subject="Первая правка")
    saved = event_values(db, event_id)
    audits = audit_count(db)
    with pytest.raises(Conflict) as caught:
        C.update_event(team.head, event_id, version, subject="Вторая правка")
    assert "Anna" in str(caught.value)
    with pytest.raises(Conflict):
        C.reschedule(team.anna, event_id, version, local(2026, 3, 6, 10))
    with pytest.raises(Conflict):
        C.complete_event(team.anna, event_id, version, now=NOW)
    with pytest.raises(Conflict):
        C.cancel_event(team.anna, event_id, version)
    assert event_values(db, event_id) == saved
    assert audit_count(db) == audits


# --- rights and visibility ---------------------------------------------------------------


def test_a_manager_never_sees_another_managers_events(db, team, world):
    anna_event = C.log_interaction(
        team.anna, world["romashka"], "call", "Секрет", when=local(2026, 3, 4, 10), now=NOW
    )
    version = event_values(db, anna_event)["version"]
    snapshot = event_values(db, anna_event)
    before = (count(db, Event), audit_count(db))

    boris = team.boris
    for call in (
        lambda: calendar_lists.get_event(boris, anna_event),
        lambda: C.update_event(boris, anna_event, version, subject="Взлом"),
        lambda: C.reschedule(boris, anna_event, version, NOW),
        lambda: C.cancel_event(boris, anna_event, version),
        lambda: C.complete_event(boris, anna_event, version, now=NOW),
        lambda: calendar_lists.company_history(boris, world["romashka"]),
        lambda: calendar_lists.company_plans(boris, world["romashka"]),
        lambda: C.log_interaction(boris, world["romashka"], "call", "Чужой клиент", now=NOW),
        lambda: C.plan_event(boris, world["romashka"], "call", "Чужой клиент", NOW),
    ):
        with pytest.raises(NotFound):
            call()
    # moving his own event onto anna's company is refused too
    own = C.plan_event(boris, world["vasilek"], "call", "Своё", NOW)
    with pytest.raises(NotFound):
        C.update_event(boris, own, event_values(db, own)["version"], company_id=world["romashka"])

    for call in (
        lambda: calendar_lists.day(boris, date(2026, 3, 4), user_id=team.id("anna")),
        lambda: calendar_lists.week(boris, date(2026, 3, 4), user_id=team.id("anna")),
        lambda: calendar_lists.month(boris, 2026, 3, user_id=team.id("anna")),
        lambda: calendar_lists.overdue(boris, user_id=team.id("anna")),
    ):
        with pytest.raises(AccessDenied) as caught:
            call()
        assert "calendar of another manager" in str(caught.value)
    # boris's own views never show anna's events
    assert calendar_lists.day(boris, date(2026, 3, 4), now=NOW).events[0].id == own
    assert all(e.id != anna_event for e in calendar_lists.overdue(boris, now=NOW))

    assert event_values(db, anna_event) == snapshot
    assert (count(db, Event), audit_count(db)) == (before[0] + 1, before[1] + 1)  # only "own"


def test_department_and_all_visibility_open_other_calendars(db, team, world):
    C.plan_event(team.anna, world["romashka"], "call", "Анна", local(2026, 3, 4, 15))
    C.plan_event(team.vera, world["roza"], "call", "Вера", local(2026, 3, 4, 15))
    # the head of sales sees his department, not support
    assert [
        e.subject
        for e in calendar_lists.day(team.head, date(2026, 3, 4), user_id=team.id("anna")).events
    ] == ["Анна"]
    with pytest.raises(AccessDenied):
        calendar_lists.day(team.head, date(2026, 3, 4), user_id=team.id("vera"))
    with pytest.raises(NotFound):
        calendar_lists.day(team.head, date(2026, 3, 4), user_id=999999)
    managers = {m.login for m in calendar_lists.visible_managers(team.head)}
    assert managers == {"anna", "boris", "head"}
    assert {m.login for m in calendar_lists.visible_managers(team.anna)} == {"anna"}
    # see.all opens every calendar
    from qstui.services.access.users import grant

    grant(team.system, "boris", "see.all")
    from qstui.services.context import context_for

    boris_all = context_for(db, "boris")
    assert [
        e.subject
        for e in calendar_lists.day(boris_all, date(2026, 3, 4), user_id=team.id("vera")).events
    ] == ["Вера"]


def test_deleting_needs_the_delete_right(db, team, world):
    event_id = _plan(team, world, local(2026, 3, 5, 10))
    before = audit_count(db)
    with pytest.raises(AccessDenied):
        C.delete_event(team.anna, event_id)
    assert event_values(db, event_id) is not None and audit_count(db) == before
    C.delete_event(team.head, event_id)
    assert event_values(db, event_id) is None
    with db.reader() as s:
        assert (
            s.scalar(
                select(AuditEntry.action)
                .where(AuditEntry.object_kind == "event", AuditEntry.object_id == event_id)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            )
            == AuditAction.DELETE
        )


def test_writing_needs_the_edit_right(db, team, world):
    from qstui.services.access.users import revoke

    revoke(team.system, "anna", "edit")
    from qstui.services.context import context_for

    reader = context_for(db, "anna")
    before = (count(db, Event), audit_count(db))
    with pytest.raises(AccessDenied):
        C.log_interaction(reader, world["romashka"], "call", "Звонок", now=NOW)
    with pytest.raises(AccessDenied):
        C.plan_event(reader, world["romashka"], "call", "Звонок", NOW)
    assert (count(db, Event), audit_count(db)) == before
    assert calendar_lists.day(reader, date(2026, 3, 4), now=NOW).events == []


# --- reference books ---------------------------------------------------------------------


def test_event_types_reference_book(db, team, world):
    codes = [t.code for t in ET.list_event_types(team.anna)]
    assert codes[:5] == ["call", "meeting", "letter", "demo", "other"]
    with pytest.raises(AccessDenied):
        ET.create_event_type(team.anna, "visit", "Визит")
    new_id = ET.create_event_type(team.system, " Visit ", "Визит", name_en="Visit")
    info = next(t for t in ET.list_event_types(team.anna) if t.id == new_id)
    assert (info.code, info.label, info.is_system) == ("visit", "Visit", False)
    with pytest.raises(ValidationFailed) as caught:
        ET.create_event_type(team.system, "visit", "")
    assert set(caught.value.errors) == {"code", "name"}

    call = next(t for t in ET.list_event_types(team.anna) if t.code == "call")
    with pytest.raises(ValidationFailed):
        ET.delete_event_type(team.system, call.id)
    with pytest.raises(ValidationFailed):
        ET.update_event_type(team.system, call.id, call.version, code="ring")
    version = ET.update_event_type(team.system, call.id, call.version, name="Телефонный звонок")
    assert version == call.version + 1

    C.log_interaction(team.anna, world["romashka"], "visit", "Заехал", now=NOW)
    with pytest.raises(ValidationFailed) as caught:
        ET.delete_event_type(team.system, new_id)
    assert "deactivate" in caught.value.errors["type"]
    unused = ET.create_event_type(team.system, "webinar", "Вебинар")
    ET.delete_event_type(team.system, unused)
    with db.reader() as s:
        assert s.scalar(select(EventType.id).where(EventType.id == unused)) is None

    result = ET.create_event_result(team.system, "Перенесли")
    assert "Перенесли" in [r.name for r in ET.list_event_results(team.anna)]
    info = next(r for r in ET.list_event_results(team.anna) if r.id == result)
    ET.deactivate_event_result(team.system, result, info.version)
    assert "Перенесли" not in [r.name for r in ET.list_event_results(team.anna)]
    with pytest.raises(ValidationFailed):
        C.log_interaction(team.anna, world["romashka"], "call", "X", result_id=result, now=NOW)


# --- the product of interest (K1) ----------------------------------------------------------


def test_an_interaction_names_a_product_of_interest(db, team, world):
    from qstui.db.models import Product
    from qstui.services.access.users import revoke
    from qstui.services.clients.card import get_card
    from qstui.services.context import context_for
    from qstui.services.deals.choices import product_choice, product_choices

    with db.transaction() as s:
        product = Product(name="Маршрутизатор X1", name_fold="маршрутизатор x1", sku="MX-1")
        s.add(product)
        s.flush()
        product_id = product.id
    event_id = C.log_interaction(
        team.anna, world["romashka"], "call", "Интерес", product_id=product_id, now=NOW
    )
    assert calendar_lists.get_event(team.anna, event_id, now=NOW).product_name == "Маршрутизатор X1"
    line = next(h for h in get_card(team.anna, world["romashka"]).history if h.id == event_id)
    assert line.product == "Маршрутизатор X1"
    before = (count(db, Event), audit_count(db))
    with pytest.raises(ValidationFailed) as caught:
        C.plan_event(team.anna, world["romashka"], "call", "Нет", NOW, product_id=product_id + 999)
    assert set(caught.value.errors) == {"product"}
    assert (count(db, Event), audit_count(db)) == before
    version = calendar_lists.get_event(team.anna, event_id, now=NOW).version
    C.update_event(team.anna, event_id, version, product_id=None, now=NOW)
    assert calendar_lists.get_event(team.anna, event_id, now=NOW).product_id is None

    # the products book is read by whoever works with clients or deals, by no one else
    assert product_id in [p.id for p in product_choices(team.anna, "")]
    assert product_choice(team.anna, product_id).name == "Маршрутизатор X1"
    revoke(team.system, "anna", "clients")
    assert product_choice(context_for(db, "anna"), product_id) is not None  # deals
    revoke(team.system, "anna", "deals")
    with pytest.raises(AccessDenied):
        product_choices(context_for(db, "anna"), "")
    with pytest.raises(AccessDenied):
        product_choice(context_for(db, "anna"), product_id)
