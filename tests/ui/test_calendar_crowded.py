"""A crowded day on the calendar screen (demo database, ivanov, 200×60): the day list and
the week grid show the first events of the day and say how many more there are; the
month grid shows the counts the month view brings — checked against a recomputation
from every event row in the database."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from tests.ui.calendar_checks import calendar_app, open_calendar, shown_ids
from tests.ui.conftest import LARGE, screen_text, settle
from textual.coordinate import Coordinate

from qstui import i18n
from qstui.db.bulk import insert_rows
from qstui.db.models import AppUser, Company, Event, EventType
from qstui.domain import calendar as cal
from qstui.domain.clock import today, utcnow
from qstui.domain.enums import EventStatus
from qstui.screens.calendar_views import more_text
from qstui.services.calendar.lists import DAY_ROWS

EXTRA = 2 * DAY_ROWS  # events added to today, a third of them cancelled


def crowd_today(db) -> int:
    """Add EXTRA events of ivanov to today (done, planned before and after now,
    cancelled, some at the same minute); returns his id."""
    with db.reader() as s:
        ivanov = s.scalar(select(AppUser.id).where(AppUser.login == "ivanov"))
        company_id = s.scalar(select(Company.id).where(Company.manager_id == ivanov).limit(1))
        type_id = s.scalar(select(EventType.id).where(EventType.code == "call"))
    start = datetime.combine(today(), time(8, 0))
    statuses = (EventStatus.DONE, EventStatus.PLANNED, EventStatus.CANCELLED)
    rows = []
    for k in range(EXTRA):
        at = cal.to_utc(start + timedelta(minutes=5 * (k // 2)))  # two at each moment
        status = statuses[k % 3]
        rows.append(
            {
                "type_id": type_id,
                "status": status,
                "company_id": company_id,
                "responsible_id": ivanov,
                "subject": f"Crowded {k}",
                "event_at": at,
                "done_at": at if status == EventStatus.DONE else None,
            }
        )
    with db.engine.connect() as conn:
        insert_rows(conn, Event.__table__, rows)
        conn.commit()
    return ivanov


def recount(db, who: int, first, last) -> dict:
    """(total, overdue, done) of each local day with events (cancelled ones left out),
    from every row of ``who``'s events."""
    start, end = cal.day_range(first, last)
    now = utcnow()
    with db.reader() as s:
        events = s.execute(
            select(Event.event_at, Event.status).where(
                Event.responsible_id == who, Event.event_at >= start, Event.event_at < end
            )
        ).all()
    total, late, done = Counter(), Counter(), Counter()
    for at, status in events:
        day = cal.local_day(at)
        if status == EventStatus.CANCELLED:
            continue
        total[day] += 1
        late[day] += status == EventStatus.PLANNED and at < now
        done[day] += status == EventStatus.DONE
    return {day: (total[day], late[day], done[day]) for day in total}


@pytest.mark.one_backend
async def test_a_crowded_day_says_how_many_more_and_the_month_counts_everything(demo_db):
    ivanov = crowd_today(demo_db)
    day = today()
    week_first = cal.week_first(day)
    month_first = day.replace(day=1)
    month_last = cal.month_last(day.year, day.month)
    first = min(week_first, month_first)
    counts = recount(demo_db, ivanov, first, max(week_first + timedelta(days=6), month_last))
    total, late, done = counts[day]
    assert total > DAY_ROWS
    more = total - DAY_ROWS

    app = calendar_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_calendar(pilot, app)

        # the day: the first DAY_ROWS events, then a line «N more»
        assert len(shown_ids(screen)) == DAY_ROWS
        last = screen.table.lines[-1]
        assert (last.event, last.day, last.more) == (None, day, more)
        cells = [c.plain for c in screen.table.get_row_at(len(screen.table.lines) - 1)]
        assert f"{more} more" in cells

        # the week grid: the day's column counts everything, and ends with «N more»
        await pilot.press("w")
        await settle(pilot, app)
        assert screen.switcher.current == "cal-week"
        grid = screen.week_grid
        column = (day - week_first).days
        for n, agenda in enumerate(grid.days):
            shown = counts.get(agenda.day, (0, 0, 0))[0]
            assert agenda.total == shown
            label = grid.ordered_columns[n].label.plain
            assert label.endswith(f"({shown})") if shown else "(" not in label
        assert grid.get_cell_at(Coordinate(DAY_ROWS, column)).plain == f"{more} more"
        grid.move_cursor(row=DAY_ROWS, column=column)
        await pilot.press("enter")  # on «N more»: the day opens
        await settle(pilot, app)
        assert screen.shown_view == "day" and screen.day == day

        # the month grid: every day's counts, none of the rows
        await pilot.press("m")
        await settle(pilot, app)
        grid = screen.month_grid
        assert grid.counts == {
            month_first + timedelta(days=n): counts.get(month_first + timedelta(days=n), (0,))[0]
            for n in range((month_last - month_first).days + 1)
        }
        assert screen.data.events == []
        [(week, weekday)] = [key for key, on in grid.dates.items() if on == day]
        text = grid.get_cell_at(Coordinate(week, weekday)).plain
        assert f"{total} events" in text and f"{done} done" in text
        if late:
            assert f"{late} overdue" in text
        # the title's figures are the month's, not those of rows
        month_done = sum(d for on, (_t, _l, d) in counts.items() if on.month == day.month)
        assert f"done {month_done}" in screen_text(app)

    i18n.set_language("ru")
    assert more_text(more) == f"ещё {more}"
