"""The calendar screen and the start page at several dates, on both backends: for each
date the clock is frozen there, a demo is made on that day (as ``qstui demo`` makes it
on the real today), and the screens are checked against the services — a Monday, a
Sunday, the 1st and the 31st of a month, 31 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from tests.conftest import at_local
from tests.ui.calendar_checks import check_day_week_month
from tests.ui.conftest import SMALL, make_app, screen_text, settle
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database
from qstui.domain import clock
from qstui.domain import formatting as fmt
from qstui.services import today as today_service
from qstui.services.access.settings import get_setting
from qstui.services.calendar import lists as calendar_lists
from qstui.services.context import context_for

DATES = (
    date(2026, 11, 30),  # a Monday
    date(2026, 12, 6),  # a Sunday
    date(2027, 3, 1),  # the 1st of a month (after a 28-day February)
    date(2026, 12, 31),  # 31 December, a Thursday: its week ends in 2027
    date(2026, 1, 31),  # the 31st of a month, a Saturday
)


@pytest.fixture(scope="module", params=DATES, ids=str)
def demo_on(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[date, Database]]:
    """(the day, a demo database made on it) with the clock frozen on that day."""
    day = request.param
    with clock.freeze(at_local(day)), demo_database(backend, tmp_path_factory) as db:
        yield day, db


@pytest.mark.one_backend
async def test_day_week_month_at_the_date(demo_on):
    day, db = demo_on
    assert clock.today() == day
    await check_day_week_month(db)


def test_the_demo_and_the_services_agree_on_the_date(demo_on):
    day, db = demo_on
    assert get_setting(db, "demo")["today"] == day.isoformat()
    for login in ("ivanov", "petrova", "sidorov"):
        ctx = context_for(db, login)
        page = today_service.today_page(ctx)
        assert page.day == day
        assert page.plans, f"the demo plans something for {login} today"
        assert all(e.day == day for e in page.plans)
        assert page.overdue and all(e.day < day for e in page.overdue)
        assert all(s.due_on < day and s.days_overdue == (day - s.due_on).days
                   for s in page.overdue_stages)  # fmt: skip
        now = clock.utcnow()
        assert [e.overdue for e in page.plans] == [e.event_at < now for e in page.plans]

        week = calendar_lists.week(ctx, day)
        month = calendar_lists.month(ctx, day.year, day.month)
        assert week.first <= day <= week.last == week.first + timedelta(days=6)
        assert week.first.weekday() == 0
        assert (month.first.day, month.last.month) == (1, day.month)
        assert (month.last + timedelta(days=1)).day == 1
        by_day = {a.day: [e.id for e in a.events] for a in week.days}
        counts = {a.day: a.tally for a in month.days}  # the month brings counts only
        for agenda in week.days:
            assert counts.get(agenda.day, agenda.tally) == agenda.tally
        today_ids = [e.id for e in calendar_lists.day(ctx, day).events]
        assert by_day[day] == today_ids
        assert [e.id for e in page.plans] == [
            e.id for e in calendar_lists.day(ctx, day).events if e.status == "planned"
        ]


async def test_the_start_page_at_the_date(demo_on):
    day, db = demo_on
    page = today_service.today_page(context_for(db, "ivanov"))
    app = make_app(db, login="ivanov")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"
        text = screen_text(app)
        assert f"Today, {fmt.day(day)}" in text
        assert f"Overdue plans: {page.overdue_count}" in text
        for name, expected in (("plans", page.plans), ("overdue", page.overdue)):
            table = app.screen.query_one(f"#today-{name}")
            assert [row.key.value for row in table.ordered_rows] == [f"e{e.id}" for e in expected]
        first = page.plans[0]
        assert fmt.hhmm(first.local_at) in text and first.subject[:10] in text
        # the money of the open deals comes in its own call, once the page is painted
        totals = today_service.open_deal_totals(context_for(db, "ivanov"))
        count = sum(t.count for t in totals)
        assert (
            totals
            and f"{count} open deals: {fmt.money(totals[0].amount, totals[0].currency_code)}"
            in text
        )
