"""The calendar's counts per local day and its capped rows, on both backends, against a
recomputation in Python from every event row: the month grid gets counts only (one
GROUP BY on UTC hours, mapped to local days), the day and the week the first events of
each day in (time, id) order plus the true counts of a crowded day.

The data set puts events on both sides of local midnights (and of UTC midnights), at
"now" itself, in every status, with ties in time, for two managers; "now" is frozen:
Wednesday 04.03.2026 12:00 in Moscow (UTC+3)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from calendar_support import company, make_team, moscow_time, type_id
from sqlalchemy import select

from qstui.db.bulk import insert_rows
from qstui.db.models import Event
from qstui.domain import calendar as cal
from qstui.domain import clock
from qstui.domain.calendar import DayCounts, PeriodView
from qstui.domain.enums import EventStatus
from qstui.services.calendar import lists as calendar_lists
from qstui.services.calendar._day_counts import bucket_seconds

NOW = datetime(2026, 3, 4, 9, 0)  # Wednesday 12:00 in Moscow, as stored
CROWDED = date(2026, 3, 5)  # a Thursday with more events than a view loads
PER_DAY = 10
# local wall-clock times of each day around which events are put
TIMES = (
    time(0, 0),
    time(0, 0, 1),
    time(2, 59, 59),
    time(3, 0),  # UTC midnight in Moscow
    time(11, 59, 59),
    time(12, 0),  # "now" on 04.03 (not overdue: before now is overdue)
    time(12, 0, 1),
    time(20, 59, 59),
    time(21, 0),
    time(23, 59, 59),
)
# UTC times near the local midnights of the other zones tested (+05:30, +05:45,
# -03:00, Berlin in winter and summer), put on anna's calendar only
UTC_TIMES = (
    time(18, 14, 59),
    time(18, 15),
    time(18, 29, 59),
    time(18, 30),
    time(18, 45),
    time(21, 59, 59),
    time(22, 0),
    time(22, 59, 59),
    time(23, 0),
    time(2, 59, 59),
)
STATUSES = (EventStatus.PLANNED, EventStatus.DONE, EventStatus.CANCELLED)


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


@pytest.fixture
def world(db):
    """anna's and boris's events from 25.02 to 10.03.2026 (local), and a crowded day
    of anna's with ties in time."""
    team = make_team(db)
    anna, boris = team.id("anna"), team.id("boris")
    romashka = company(db, "Ромашка", anna)
    vasilek = company(db, "Василек", boris)
    call = type_id(db, "call")
    rows = []

    def put(who: int, at: datetime, status: EventStatus, company_id: int | None) -> None:
        rows.append(
            {
                "type_id": call,
                "status": status,
                "company_id": company_id,
                "responsible_id": who,
                "subject": f"{at:%d.%m %H:%M:%S} {status.value}",
                "event_at": at,
                "done_at": at if status == EventStatus.DONE else None,
            }
        )

    n = 0
    day = date(2026, 2, 25)
    while day <= date(2026, 3, 10):
        for moment in TIMES:
            for who, company_id in ((anna, romashka), (boris, vasilek), (anna, None)):
                n += 1
                put(who, cal.to_utc(datetime.combine(day, moment)), STATUSES[n % 3], company_id)
        for moment in UTC_TIMES:
            n += 1
            put(anna, datetime.combine(day, moment), STATUSES[n % 3], romashka)
        day += timedelta(days=1)
    for k in range(3 * PER_DAY):  # ties: 3 events at each of 10 moments of the day
        at = cal.to_utc(datetime(2026, 3, 5, 9 + k % 10, 30))
        put(anna, at, STATUSES[k % 3], romashka)
    with db.engine.connect() as conn:
        insert_rows(conn, Event.__table__, rows)
        conn.commit()
    return team


def _all_events(db) -> list:
    with db.reader() as s:
        return s.execute(select(Event.id, Event.responsible_id, Event.event_at, Event.status)).all()


def _expected(db, first, last, who=None, cancelled=False, now=NOW):
    """Per local day: (DayCounts, the events' ids in (time, id) order) from every row."""
    days: dict[date, list] = {}
    for e in sorted(_all_events(db), key=lambda e: (e.event_at, e.id)):
        day = cal.local_day(e.event_at)
        mine = who is None or e.responsible_id == who
        live = cancelled or e.status != EventStatus.CANCELLED
        if first <= day <= last and mine and live:
            days.setdefault(day, []).append(e)
    out = {}
    for day, events in days.items():
        by_status = Counter(EventStatus(e.status) for e in events)
        counts = DayCounts(
            planned=by_status[EventStatus.PLANNED],
            done=by_status[EventStatus.DONE],
            cancelled=by_status[EventStatus.CANCELLED],
            overdue=sum(1 for e in events if e.status == EventStatus.PLANNED and e.event_at < now),
        )
        out[day] = (counts, [e.id for e in events])
    return out


def _counts(view: PeriodView) -> dict[date, DayCounts]:
    return {a.day: a.tally for a in view.days if a.total}


@pytest.mark.parametrize("cancelled", [False, True], ids=["live", "with-cancelled"])
def test_month_counts_per_local_day_equal_a_recomputation(db, world, cancelled):
    anna = world.id("anna")
    for year, month in ((2026, 2), (2026, 3)):
        view = calendar_lists.month(world.anna, year, month, now=NOW, include_cancelled=cancelled)
        first, last = date(year, month, 1), cal.month_last(year, month)
        assert [a.day for a in view.days] == [
            first + timedelta(days=n) for n in range((last - first).days + 1)
        ]
        assert view.events == []  # the grid needs no rows
        expected = _expected(db, first, last, anna, cancelled)
        assert _counts(view) == {day: counts for day, (counts, _ids) in expected.items()}
        assert view.counts.total == sum(c.total for c, _ids in expected.values())
    # the boundaries: the day of 04.03 from 00:00:00 to 23:59:59 local, "now" not overdue
    march = calendar_lists.month(world.anna, 2026, 3, now=NOW, include_cancelled=True)
    assert march.agenda(date(2026, 3, 4)).total == 2 * len(TIMES) + len(UTC_TIMES)
    assert (
        march.agenda(date(2026, 3, 4)).overdue
        == _expected(db, date(2026, 3, 4), date(2026, 3, 4), anna, True)[date(2026, 3, 4)][
            0
        ].overdue
    )


def test_the_system_context_and_a_colleague_get_the_same_counts(db, world):
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    everyone = calendar_lists.month(world.system, 2026, 3, now=NOW)
    assert everyone.user_id is None
    assert _counts(everyone) == {d: c for d, (c, _i) in _expected(db, first, last).items()}
    boris = world.id("boris")
    seen_by_head = calendar_lists.month(world.head, 2026, 3, user_id=boris, now=NOW)
    assert _counts(seen_by_head) == {
        d: c for d, (c, _i) in _expected(db, first, last, boris).items()
    }


def test_day_and_week_load_the_first_events_of_a_day_and_count_the_rest(db, world):
    anna = world.id("anna")
    week = calendar_lists.week(world.anna, CROWDED, now=NOW, per_day=PER_DAY)
    expected = _expected(db, week.first, week.last, anna)
    assert _counts(week) == {d: c for d, (c, _ids) in expected.items()}
    for agenda in week.days:
        _counts_of_day, ids = expected[agenda.day]
        assert [e.id for e in agenda.events] == ids[:PER_DAY]
        assert agenda.more == max(0, len(ids) - PER_DAY)
        assert all(e.day == agenda.day for e in agenda.events)
    crowded = week.agenda(CROWDED)
    assert crowded.more > 0 and len(crowded.events) == PER_DAY
    assert [e.overdue for e in crowded.events] == [
        e.status == EventStatus.PLANNED and e.event_at < NOW for e in crowded.events
    ]
    assert crowded.more == len(expected[CROWDED][1]) - PER_DAY
    assert week.more == sum(max(0, len(ids) - PER_DAY) for _c, ids in expected.values())

    day = calendar_lists.day(world.anna, CROWDED, now=NOW, per_day=PER_DAY)
    assert day.days == (crowded,)
    everything = calendar_lists.day(world.anna, CROWDED, now=NOW, per_day=None)
    assert [e.id for e in everything.events] == expected[CROWDED][1]
    assert everything.agenda(CROWDED).more == 0
    counts_only = calendar_lists.week(world.anna, CROWDED, now=NOW, per_day=0)
    assert counts_only.events == [] and _counts(counts_only) == _counts(week)

    # the default: the first DAY_ROWS events, every one of these days
    default = calendar_lists.week(world.anna, CROWDED, now=NOW, include_cancelled=True)
    assert 2 * len(TIMES) + len(UTC_TIMES) + 3 * PER_DAY <= calendar_lists.DAY_ROWS
    assert default.more == 0
    all_rows = _expected(db, default.first, default.last, anna, True)
    assert [e.id for e in default.events] == [i for day in sorted(all_rows)
                                              for i in all_rows[day][1]]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "step"),
    [("+05:30", 1800), ("+05:45", 900), ("-03:00", 3600), ("Europe/Berlin", 3600)],
)
def test_counts_are_exact_in_any_zone(db, world, zone, step):
    try:
        clock.set_zone(zone)
    except ValueError:
        pytest.skip(f"no time zone data for {zone}")
    anna = world.id("anna")
    assert bucket_seconds(date(2026, 2, 1), date(2026, 3, 31)) == step
    for year, month in ((2026, 2), (2026, 3)):
        first, last = date(year, month, 1), cal.month_last(year, month)
        view = calendar_lists.month(world.anna, year, month, now=NOW, include_cancelled=True)
        expected = _expected(db, first, last, anna, True)
        assert _counts(view) == {d: c for d, (c, _ids) in expected.items()}
    week = calendar_lists.week(world.anna, CROWDED, now=NOW, per_day=PER_DAY)
    expected = _expected(db, week.first, week.last, anna)
    assert _counts(week) == {d: c for d, (c, _ids) in expected.items()}
    assert {a.day: [e.id for e in a.events] for a in week.days if a.events} == {
        d: ids[:PER_DAY] for d, (_c, ids) in expected.items()
    }


def test_summer_time_changes_fall_on_hour_buckets():
    """Europe/Berlin moves its clocks on 29.03.2026: the day has 23 hours, and every
    local midnight around it is still a whole UTC hour."""
    try:
        clock.set_zone("Europe/Berlin")
    except ValueError:
        pytest.skip("no time zone data")
    assert cal.day_start(date(2026, 3, 30)) - cal.day_start(date(2026, 3, 29)) == timedelta(
        hours=23
    )
    assert bucket_seconds(date(2026, 3, 1), date(2026, 3, 31)) == 3600
