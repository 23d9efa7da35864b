"""Period buckets of a report's dynamics, computed in SQL on both backends.

A bucket is one integer per row, so that ``GROUP BY`` takes it as one expression:
``year``, ``year*10 + quarter``, ``year*100 + month`` or ``year*1000 + month*10 +
decade`` (decade 0: days 1–10, 1: 11–20, 2: 21–end). ``EXTRACT`` is portable through
SQLAlchemy (SQLite compiles it to ``strftime``); every constant is a literal, since
Firebird rejects a ``GROUP BY`` whose expression differs from the select list's only
by its parameters. A timestamp column (stored in UTC) is bucketed and filtered by the
local day of the configured zone (``qstui.domain.clock``), as people count days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, extract, literal_column

from qstui.db.report_sql import shifted
from qstui.domain.clock import to_local, to_utc, utcnow
from qstui.domain.reports import Dynamics


def _n(value: int) -> Any:
    return literal_column(str(int(value)))


def local_offset_minutes(period: tuple[date, date] | None) -> int:
    """The zone's offset from UTC in minutes, at the start of ``period`` (or now).

    One offset for the whole report: the zones of Russia keep theirs all year."""
    moment = datetime.combine(period[0], time(12)) if period else utcnow()
    return round((to_local(moment) - moment).total_seconds() / 60)


def bucket(column: Any, dynamics: Dynamics, offset_minutes: int = 0) -> Any:
    """The bucket number of ``column`` (a date, or a UTC timestamp shifted by
    ``offset_minutes`` to the local day) for ``dynamics``."""
    column = shifted(column, offset_minutes)
    year = extract("year", column)
    if dynamics is Dynamics.YEAR:
        return year
    month = extract("month", column)
    if dynamics is Dynamics.MONTH:
        return year * _n(100) + month
    if dynamics is Dynamics.QUARTER:
        # ``op("/")``: integer division on both backends (SQLAlchemy's ``/`` would make
        # it a true division on SQLite)
        return year * _n(10) + (month - _n(1)).self_group().op("/")(_n(3)) + _n(1)
    if dynamics is Dynamics.DECADE:
        day = extract("day", column)
        decade = case((day <= _n(10), _n(0)), (day <= _n(20), _n(1)), else_=_n(2))
        return year * _n(1000) + month * _n(10) + decade
    raise ValueError(f"no buckets for {dynamics}")


def bucket_start(number: int, dynamics: Dynamics) -> date:
    """The first day of bucket ``number``."""
    number = int(number)
    if dynamics is Dynamics.YEAR:
        return date(number, 1, 1)
    if dynamics is Dynamics.MONTH:
        return date(number // 100, number % 100, 1)
    if dynamics is Dynamics.QUARTER:
        return date(number // 10, (number % 10 - 1) * 3 + 1, 1)
    if dynamics is Dynamics.DECADE:
        return date(number // 1000, number // 10 % 100, number % 10 * 10 + 1)
    raise ValueError(f"no buckets for {dynamics}")


def bucket_of(day: date, dynamics: Dynamics) -> date:
    """The first day of the bucket ``day`` falls in (the same rule in Python)."""
    if dynamics is Dynamics.YEAR:
        return date(day.year, 1, 1)
    if dynamics is Dynamics.MONTH:
        return day.replace(day=1)
    if dynamics is Dynamics.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if dynamics is Dynamics.DECADE:
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    raise ValueError(f"no buckets for {dynamics}")


def bucket_label(start: date, dynamics: Dynamics) -> str:
    """How a bucket is shown: ``2026``, ``2026 Q1``, ``2026-03``, ``2026-03 11–20``."""
    if dynamics is Dynamics.YEAR:
        return f"{start.year}"
    if dynamics is Dynamics.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if dynamics is Dynamics.MONTH:
        return f"{start:%Y-%m}"
    if start.day == 21:
        return f"{start:%Y-%m} 21–{_month_end(start).day}"
    return f"{start:%Y-%m} {start.day}–{start.day + 9}"


def bucket_end(start: date, dynamics: Dynamics) -> date:
    """The last day of the bucket that begins on ``start``."""
    if dynamics is Dynamics.YEAR:
        return date(start.year, 12, 31)
    if dynamics is Dynamics.MONTH:
        return _month_end(start)
    if dynamics is Dynamics.QUARTER:
        return _month_end(date(start.year, start.month + 2, 1))
    if start.day == 21:
        return _month_end(start)
    return start + timedelta(days=9)


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def in_period(column: Any, period: tuple[date, date], timestamp: bool) -> Any:
    """``column`` within the inclusive ``period`` (a UTC timestamp: by its local day),
    as an index range."""
    first, last = period
    if timestamp:
        return and_(
            column >= to_utc(datetime.combine(first, time.min)),
            column < to_utc(datetime.combine(last + timedelta(days=1), time.min)),
        )
    return and_(column >= first, column <= last)
