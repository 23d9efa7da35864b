"""Reading the local days of a calendar period: each day's counts and its first
events, a bounded amount of work however many events a day holds (no rights checks:
the caller passes its visibility ``scope``).

- ``per_day=0`` (the month grid): counts only, one ``GROUP BY`` (``_day_counts``);
- ``per_day=N`` (day, week): per day, the first N events in ``(event_at, id)`` order,
  read from the ``(responsible_id, event_at, id)`` index and stopping there; a day with
  more (N + 1 were found) is counted as well, so a screen can say how many are left;
- ``per_day=None``: every event of the period in one query (the CLI's full listing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import Event
from qstui.domain import calendar as cal
from qstui.domain.calendar import DayAgenda, DayCounts, EventRow
from qstui.domain.enums import EventStatus
from qstui.services.calendar._day_counts import day_counts
from qstui.services.calendar._rows import columns_query, fetch, picked_query


def _statuses(include_cancelled: bool) -> list[EventStatus]:
    return [s for s in EventStatus if include_cancelled or s != EventStatus.CANCELLED]


def _live(include_cancelled: bool) -> list[Any]:
    return [] if include_cancelled else [Event.status != EventStatus.CANCELLED]


def _first_of_day(
    s: Session, scope: list[Any], day: date, limit: int, now: datetime, cancelled: bool
) -> list[EventRow]:
    """The first ``limit`` events of the local ``day`` in ``(event_at, id)`` order.
    The ids are picked first by a lean ``ORDER BY … LIMIT`` that walks the index and
    stops (Firebird: ``PLAN (EVENTS ORDER IX_…)``, 1.4 ms on a day of 12 000 events);
    only they are joined to the names."""
    start, end = cal.day_range(day, day)
    picked = (
        select(Event.id)
        .where(*scope, *_live(cancelled), Event.event_at >= start, Event.event_at < end)
        .order_by(Event.event_at, Event.id)
        .limit(limit)
        .subquery("picked")
    )
    return fetch(s, picked_query(picked).order_by(Event.event_at, Event.id), now)


def read_days(
    s: Session,
    scope: list[Any],
    first: date,
    last: date,
    now: datetime,
    include_cancelled: bool,
    per_day: int | None,
) -> tuple[DayAgenda, ...]:
    """Every local day of ``first``..``last`` among the events matching ``scope``."""
    if per_day is not None and per_day < 0:
        raise ValueError("per_day is 0 or more")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts: dict[date, DayCounts] = {}
    rows: dict[date, list[EventRow]] = {}
    if per_day == 0:
        counts = day_counts(s, scope, first, last, _statuses(include_cancelled), now)
    elif per_day is None:
        start, end = cal.day_range(first, last)
        query = (
            columns_query()
            .where(*scope, *_live(include_cancelled), Event.event_at >= start, Event.event_at < end)
            .order_by(Event.event_at, Event.id)
        )
        for row in fetch(s, query, now):
            rows.setdefault(row.day, []).append(row)
    else:
        # one more than shown: a day that has it is crowded, and is counted
        for day in days:
            rows[day] = _first_of_day(s, scope, day, per_day + 1, now, include_cancelled)
        crowded = [day for day in days if len(rows[day]) > per_day]
        if crowded:
            statuses = _statuses(include_cancelled)
            counts = day_counts(s, scope, crowded[0], crowded[-1], statuses, now)
    agendas = []
    for day in days:
        loaded = tuple(rows.get(day, ()))
        if per_day == 0:
            agendas.append(DayAgenda(day, (), counts.get(day, DayCounts())))
        elif per_day is not None and len(loaded) > per_day:
            agendas.append(DayAgenda(day, loaded[:per_day], counts.get(day)))
        else:  # every event of the day is loaded: the counts are its own
            agendas.append(DayAgenda(day, loaded))
    return tuple(agendas)
