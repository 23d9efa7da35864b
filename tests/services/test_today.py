"""The start page ("today") on both backends; now is frozen to Wednesday 04.03.2026
12:00 in Moscow."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from calendar_support import (
    Team,
    company,
    deal,
    deal_stage,
    local,
    make_team,
    moscow_time,
    pipeline_stages,
)
from sqlalchemy import update

from qstui.db.models import AppUser
from qstui.domain.calendar import MoneyTotal, TodayPage
from qstui.domain.enums import DealStatus
from qstui.domain.errors import AccessDenied
from qstui.services import deals as D
from qstui.services import today as T
from qstui.services.access.users import revoke
from qstui.services.calendar import events as C
from qstui.services.context import context_for

NOW = datetime(2026, 3, 4, 9, 0)  # Wednesday 12:00 in Moscow (UTC+3), as stored
TODAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


@pytest.fixture
def team(db) -> Team:
    return make_team(db)


def test_the_start_page_of_a_manager(db, team):
    anna, boris = team.id("anna"), team.id("boris")
    with db.transaction() as s:
        s.execute(update(AppUser).where(AppUser.id == anna).values(idle_days=14))
    romashka = company(db, "Ромашка", anna, last_contact_at=NOW - timedelta(days=3))
    forgotten = company(db, "Забытая", anna, last_contact_at=NOW - timedelta(days=40))
    never = company(db, "Новая", anna)
    borderline = company(db, "На грани", anna, last_contact_at=NOW - timedelta(days=14))
    company(db, "Чужая забытая", boris, last_contact_at=NOW - timedelta(days=90))
    vasilek = company(db, "Василек", boris)

    # plans: today (one already past), yesterday, tomorrow; a colleague's
    past_today = C.plan_event(team.anna, romashka, "call", "Утренний звонок", local(2026, 3, 4, 9))
    later_today = C.plan_event(team.anna, romashka, "meeting", "Встреча", local(2026, 3, 4, 23, 59))
    yesterday = C.plan_event(team.anna, romashka, "call", "Вчерашний", local(2026, 3, 3, 18))
    C.plan_event(team.anna, romashka, "call", "Завтра", local(2026, 3, 5, 0, 0))
    C.log_interaction(
        team.anna, romashka, "call", "Уже сделано", when=local(2026, 3, 4, 8), now=NOW
    )
    C.plan_event(team.boris, vasilek, "call", "Чужой план", local(2026, 3, 4, 15))

    # deals: open ones in two currencies, a won one, a colleague's
    _, stages = pipeline_stages(db)
    d1 = deal(db, romashka, anna, "Роутеры", "1000.50")
    deal(db, romashka, anna, "Коммутаторы", "99.50")
    deal(db, forgotten, anna, "Экспорт", "300", currency="USD")
    deal(db, romashka, anna, "Выиграна", "5000", status=DealStatus.WON)
    lost = deal(db, romashka, anna, "Проиграна", "1", status=DealStatus.LOST)
    boris_deal = deal(db, vasilek, boris, "Чужая", "777")
    # stages: overdue (mine), due today (not overdue), done, of a closed deal, a colleague's
    deal_stage(db, d1, stages[0], anna, TODAY - timedelta(days=5))
    deal_stage(db, d1, stages[1], anna, TODAY)
    deal_stage(db, d1, stages[2], anna, TODAY - timedelta(days=9), done_on=TODAY)
    deal_stage(db, lost, stages[0], anna, TODAY - timedelta(days=5))
    deal_stage(db, boris_deal, stages[0], boris, TODAY - timedelta(days=5))

    page = T.today_page(team.anna, now=NOW, idle_limit=2)
    assert isinstance(page, TodayPage)
    assert (page.day, page.user_id) == (TODAY, anna)
    assert [e.id for e in page.plans] == [past_today, later_today]
    assert [e.overdue for e in page.plans] == [True, False]
    assert [e.id for e in page.overdue] == [yesterday]
    assert page.overdue_count == 1

    assert [(s.deal_id, s.stage_id, s.days_overdue) for s in page.overdue_stages] == [
        (d1, stages[0], 5)
    ]
    assert page.overdue_stages[0].company_name == "Ромашка"

    assert page.idle_days == 14
    assert page.idle_count == 2  # never contacted + 40 days; 14 days ago is not yet idle
    assert [c.company_id for c in page.idle_clients] == [never, forgotten]
    assert page.idle_clients[0].idle_days is None
    assert page.idle_clients[1].idle_days == 40
    assert borderline not in [c.company_id for c in page.idle_clients]

    assert T.open_deal_totals(team.anna) == (
        MoneyTotal("RUB", 2, Decimal("1100.00")),
        MoneyTotal("USD", 1, Decimal("300.00")),
    )
    assert T.open_deal_totals(team.head, anna) == T.open_deal_totals(team.anna)
    with pytest.raises(AccessDenied):
        T.open_deal_totals(team.boris, anna)

    short = T.today_page(team.anna, now=NOW, idle_limit=1)
    assert short.idle_count == 2 and len(short.idle_clients) == 1


def test_whose_page_may_be_opened(db, team):
    vasilek = company(db, "Василек", team.id("boris"))
    plan = C.plan_event(team.boris, vasilek, "call", "План Бориса", local(2026, 3, 4, 15))
    assert [e.id for e in T.today_page(team.head, user_id=team.id("boris"), now=NOW).plans] == [
        plan
    ]
    with pytest.raises(AccessDenied):
        T.today_page(team.anna, user_id=team.id("boris"), now=NOW)
    with pytest.raises(AccessDenied):
        T.today_page(team.head, user_id=team.id("vera"), now=NOW)
    empty = T.today_page(team.system, now=NOW)
    assert empty.user_id is None and empty.plans == () and empty.idle_count == 0
    # boris's own page does not show anna's data
    company(db, "Ромашка", team.id("anna"))
    assert T.today_page(team.boris, now=NOW).idle_count == 1


def test_sections_of_closed_modules_stay_empty(db, team):
    anna = team.id("anna")
    romashka = company(db, "Ромашка", anna)
    C.plan_event(team.anna, romashka, "call", "Звонок", local(2026, 3, 4, 15))
    deal(db, romashka, anna, "Роутеры", "10")
    revoke(team.system, "anna", "calendar", "deals")
    page = T.today_page(context_for(db, "anna"), now=NOW)
    assert page.plans == () and T.open_deal_totals(context_for(db, "anna")) == ()
    assert page.idle_count == 1  # the clients module is still open


def test_the_late_stages_are_the_managers_overdue_stages_capped(db, team):
    anna = team.id("anna")
    romashka = company(db, "Ромашка", anna)
    _, stages = pipeline_stages(db)
    late = [deal(db, romashka, anna, f"Сделка {n}", "1") for n in range(3)]
    for n, deal_id in enumerate(late):
        deal_stage(db, deal_id, stages[0], anna, TODAY - timedelta(days=n + 1))
    boris_deal = deal(db, company(db, "Василек", team.id("boris")), team.id("boris"), "Чужая")
    deal_stage(db, boris_deal, stages[0], team.id("boris"), TODAY - timedelta(days=9))

    page = T.today_page(team.anna, now=NOW, overdue_limit=2)
    assert [s.deal_id for s in page.overdue_stages] == [late[2], late[1]]  # the longest late
    assert page.overdue_stages == tuple(D.overdue_stages(team.anna, anna, limit=2, on=TODAY))
    assert [s.days_overdue for s in page.overdue_stages] == [3, 2]
    assert len(D.overdue_stages(team.head, anna, on=TODAY)) == 3


def test_counts_of_the_page_stop_at_the_cap(db, team, monkeypatch):
    """Past the cap the page says "1 000+": counted up to cap + 1, no further."""
    anna = team.id("anna")
    romashka = company(db, "Ромашка", anna)
    for n in range(4):
        company(db, f"Забытая {n}", anna)
        C.plan_event(team.anna, romashka, "call", f"Вчера {n}", local(2026, 3, 3, 10 + n))
    monkeypatch.setattr(T, "START_CAP", 2)
    page = T.today_page(team.anna, now=NOW)
    assert (page.overdue_count, page.idle_count) == (3, 3)
    monkeypatch.setattr(T, "START_CAP", 10)
    page = T.today_page(team.anna, now=NOW)
    assert (page.overdue_count, page.idle_count) == (4, 5)
