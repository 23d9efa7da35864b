"""The calendar screen checks more than one test module runs: logging in and opening
the calendar, and the day / week / month views against the services for the clock's
today (tests/ui/test_calendar_screen.py on the frozen day, test_calendar_dates.py at
several dates)."""

from __future__ import annotations

from datetime import timedelta

from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.clock import today
from qstui.domain.enums import EventStatus
from qstui.services.calendar import lists as calendar_lists
from qstui.services.context import context_for

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def calendar_app(db, login="ivanov"):
    return make_app(db, login=login)


async def open_calendar(pilot, app, login="ivanov"):
    """Log in (the login is prefilled, or typed after a logout) and press F3."""
    await settle(pilot, app)
    if app.prefill_login == login and app.screen.query_one("#login").value == login:
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
    else:
        await log_in(pilot, app, login)
    assert app.ctx is not None and app.ctx.login == login
    await pilot.press("f3")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "CalendarScreen"
    return app.screen


def shown_ids(screen):
    """The events the current list view shows, in order."""
    return [line.event.id for line in screen.table.lines if line.event is not None]


async def move_cursor_to(pilot, app, screen, event_id):
    table = screen.table
    ids = [line.event.id if line.event else None for line in table.lines]
    target = ids.index(event_id)
    key = "down" if target > table.cursor_row else "up"
    for _ in range(abs(target - table.cursor_row)):
        await pilot.press(key)
    await settle(pilot, app)
    assert screen.current_event.id == event_id


async def check_day_week_month(demo_db):
    """The day, week and month views show what the services return for the clock's
    today, and the keys that move between them work (ivanov, 80×24)."""
    ctx = context_for(demo_db, "ivanov")
    day = today()
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app)
        expected = calendar_lists.day(ctx, day)
        assert expected.events, "the demo plans something for today"
        assert shown_ids(screen) == [e.id for e in expected.events]
        text = screen_text(app)
        assert fmt.day(day) in text and "(today)" in text
        for event in expected.events:
            assert fmt.hhmm(event.local_at) in text
            assert event.type_name in text
        overdue_today = [e for e in expected.events if e.overdue]
        if overdue_today:
            assert f"overdue {len(overdue_today)}" in text

        await pilot.press("w")
        await settle(pilot, app)
        week = calendar_lists.week(ctx, day)
        assert screen.switcher.current == "cal-list"  # 80 columns: a list grouped by day
        assert shown_ids(screen) == [e.id for e in week.events]
        text = screen_text(app)
        first, last = cal.week_first(day), cal.week_first(day) + timedelta(days=6)
        assert f"Week {first.strftime('%d.%m')} – {fmt.day(last)}" in text
        # every day Monday to Sunday has its heading (the list scrolls: today, under the
        # cursor, is on the screen; Monday may be above it late in the week)
        table = screen.table
        headings = [(row, line.day) for row, line in enumerate(table.lines) if line.first_of_day]
        assert [d for _row, d in headings] == [first + timedelta(days=n) for n in range(7)]
        assert [table.get_row_at(row)[0].plain for row, _d in headings] == [
            f"{name} {d:%d.%m}" for name, (_row, d) in zip(WEEKDAYS, headings, strict=True)
        ]
        assert table.current is not None and table.current.day == day
        assert f"{WEEKDAYS[day.weekday()]} {day:%d.%m}" in text

        await pilot.press("m")
        await settle(pilot, app)
        month = calendar_lists.month(ctx, day.year, day.month)
        grid = screen.month_grid
        assert screen.switcher.current == "cal-month"
        assert {d.day: grid.count_on(d.day) for d in month.days} == {
            d.day: d.total for d in month.days
        }
        assert grid.current_day == day
        text = screen_text(app)
        assert f"{day:%B} {day.year}" in text or str(day.year) in text
        assert "Mon" in text and "Sun" in text

        await pilot.press("full_stop")  # next month
        await settle(pilot, app)
        following = day.replace(day=1) + timedelta(days=32)
        month = calendar_lists.month(ctx, following.year, following.month)
        assert screen.month_grid.counts == {d.day: d.total for d in month.days}
        assert f"{following:%B} {following.year}" in screen_text(app)

        await pilot.press("comma", "comma")  # back two months
        await settle(pilot, app)
        previous = day.replace(day=1) - timedelta(days=1)
        month = calendar_lists.month(ctx, previous.year, previous.month)
        assert screen.month_grid.counts == {d.day: d.total for d in month.days}

        # Enter on a day of the grid opens that day
        await pilot.press("enter")
        await settle(pilot, app)
        chosen = screen.day
        assert chosen.month == previous.month
        assert shown_ids(screen) == [e.id for e in calendar_lists.day(ctx, chosen).events]
        assert fmt.day(chosen) in screen_text(app)

        await pilot.press("t", "comma")  # today, then the day before
        await settle(pilot, app)
        yesterday = day - timedelta(days=1)
        assert shown_ids(screen) == [e.id for e in calendar_lists.day(ctx, yesterday).events]

        # Enter on a done interaction shows it; k there opens its client's card
        done = next(
            e
            for back in range(1, 15)
            for e in calendar_lists.day(ctx, day - timedelta(days=back)).events
            if e.status == EventStatus.DONE and e.company_id is not None
        )
        await pilot.press("g")
        await settle(pilot, app)
        await pilot.press(*fmt.day(done.day), "enter")
        await settle(pilot, app)
        await move_cursor_to(pilot, app, screen, done.id)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "EventInfoDialog"
        text = screen_text(app)
        assert done.subject in text and (done.result_name or "") in text
        opened = []
        app.open_client = opened.append
        await pilot.press("k")
        await settle(pilot, app)
        assert opened == [done.company_id]
        assert type(app.screen).__name__ == "CalendarScreen"
        await pilot.press("k")  # straight from the list too
        assert opened == [done.company_id, done.company_id]

        await pilot.press("g")
        await settle(pilot, app)
        await pilot.press(*fmt.day(day + timedelta(days=3)), "enter")
        await settle(pilot, app)
        assert screen.day == day + timedelta(days=3)
        assert fmt.day(day + timedelta(days=3)) in screen_text(app)
