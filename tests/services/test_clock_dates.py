"""The calendar and the start page at several dates — a Monday, a Sunday, the 1st and
the 31st of a month, 31 December — with the clock frozen there and no ``now`` passed:
what "today", "this week", "this month" and "overdue" mean comes from the clock, and the
edges (00:00 and 23:59 local, the week from Monday to Sunday, the turn of the year) hold
on both backends. Local time is Moscow (UTC+3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from calendar_support import (
    company,
    deal,
    deal_stage,
    make_team,
    moscow_time,
    pipeline_stages,
)

from qstui.db.models import Deal
from qstui.domain import calendar as cal
from qstui.domain import clock
from qstui.services import deals as D
from qstui.services import today as T
from qstui.services.calendar import events as C
from qstui.services.calendar import lists as calendar_lists

DATES = (
    date(2026, 11, 30),  # a Monday
    date(2026, 12, 6),  # a Sunday
    date(2027, 3, 1),  # the 1st of a month (after a 28-day February)
    date(2026, 12, 31),  # 31 December, a Thursday: the week ends in the next year
    date(2026, 1, 31),  # the 31st of a month, a Saturday
)
MORNING = time(10, 0)  # the frozen local time of each date


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


def _plan_times(day: date) -> dict[str, datetime]:
    """Local moments around ``day``: its edges, its week's and its month's, and the
    neighbours just outside them."""
    monday = cal.week_first(day)
    first = day.replace(day=1)
    last = cal.month_last(day.year, day.month)
    at = datetime.combine
    return {
        "today 00:00": at(day, time(0, 0)),
        "today 09:00": at(day, time(9, 0)),
        "today 23:59": at(day, time(23, 59)),
        "yesterday 23:59": at(day - timedelta(days=1), time(23, 59)),
        "tomorrow 00:00": at(day + timedelta(days=1), time(0, 0)),
        "monday 00:00": at(monday, time(0, 0)),
        "sunday before 23:59": at(monday - timedelta(days=1), time(23, 59)),
        "sunday 23:59": at(monday + timedelta(days=6), time(23, 59)),
        "next monday 00:00": at(monday + timedelta(days=7), time(0, 0)),
        "1st 00:00": at(first, time(0, 0)),
        "month before 23:59": at(first - timedelta(days=1), time(23, 59)),
        "last day 23:59": at(last, time(23, 59)),
        "next month 00:00": at(last + timedelta(days=1), time(0, 0)),
    }


def _between(plans: dict[int, datetime], first: date, last: date) -> list[int]:
    """The plans whose local day is in ``first``..``last``, in time order."""
    inside = [(at, pid) for pid, at in plans.items() if first <= at.date() <= last]
    return [pid for _at, pid in sorted(inside)]


@pytest.mark.parametrize("day", DATES, ids=str)
def test_the_calendar_and_the_start_page_on_the_day_the_clock_shows(db, clock_at, day):
    team = make_team(db)
    anna = team.id("anna")
    romashka = company(db, "Ромашка", anna)
    now = clock_at(datetime.combine(day, MORNING))
    assert (clock.today(), clock.local_now()) == (day, now)
    assert clock.utcnow() == now - timedelta(hours=3)

    plans: dict[int, datetime] = {}
    for subject, local in _plan_times(day).items():
        if local in plans.values():  # e.g. Monday 00:00 is today 00:00 on a Monday
            continue
        plans[C.plan_event(team.anna, romashka, "call", subject, cal.to_utc(local))] = local

    shown = calendar_lists.day(team.anna, clock.today())
    assert [e.id for e in shown.events] == _between(plans, day, day)
    assert [e.overdue for e in shown.events] == [plans[e.id] < now for e in shown.events]

    week = calendar_lists.week(team.anna, day)
    monday = cal.week_first(day)
    assert (week.first, week.last) == (monday, monday + timedelta(days=6))
    assert week.first.weekday() == 0 and week.first <= day <= week.last
    assert [a.day for a in week.days] == [monday + timedelta(days=n) for n in range(7)]
    assert [e.id for e in week.events] == _between(plans, week.first, week.last)
    assert all(e.day == a.day for a in week.days for e in a.events)

    month = calendar_lists.month(team.anna, day.year, day.month)
    last = cal.month_last(day.year, day.month)
    assert (month.first, month.last) == (day.replace(day=1), last)
    assert len(month.days) == last.day
    # the grid's counts (no rows), each plan on its local day, the past ones overdue
    assert {a.day: (a.total, a.overdue) for a in month.days if a.total} == {
        on: (
            sum(1 for at in plans.values() if at.date() == on),
            sum(1 for at in plans.values() if at.date() == on and at < now),
        )
        for on in {at.date() for at in plans.values() if month.first <= at.date() <= last}
    }
    rows = calendar_lists.month(team.anna, day.year, day.month, per_day=None)
    assert [e.id for e in rows.events] == _between(plans, month.first, month.last)
    following = last + timedelta(days=1)
    next_month = calendar_lists.month(team.anna, following.year, following.month, per_day=None)
    assert next_month.events and [e.id for e in next_month.events] == _between(
        plans, next_month.first, next_month.last
    )

    overdue = calendar_lists.overdue(team.anna)
    assert [e.id for e in overdue] == [
        pid for at, pid in sorted((at, pid) for pid, at in plans.items()) if at < now
    ]

    _, stages = pipeline_stages(db)
    late = deal(db, romashka, anna, "Поставка", "100")
    deal_stage(db, late, stages[0], anna, day - timedelta(days=1))
    deal_stage(db, late, stages[1], anna, day)  # due today: not late yet

    page = T.today_page(team.anna)
    assert (page.day, page.now) == (day, clock.utcnow())
    assert [e.id for e in page.plans] == _between(plans, day, day)
    assert [e.overdue for e in page.plans] == [plans[e.id] < now for e in page.plans]
    before_today = _between(plans, date.min, day - timedelta(days=1))
    assert [e.id for e in page.overdue] == before_today
    assert page.overdue_count == len(before_today)
    assert [(s.deal_id, s.stage_id, s.days_overdue) for s in page.overdue_stages] == [
        (late, stages[0], 1)
    ]

    new_deal = D.create_deal(team.anna, romashka, "Новая")
    with db.reader() as s:
        assert s.get(Deal, new_deal).started_on == day
