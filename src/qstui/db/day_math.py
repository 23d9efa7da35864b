"""Whole days between two DATE columns, the same number on SQLite and Firebird 3.

SQLite keeps dates as ISO text, so the difference is of their Julian day numbers;
Firebird subtracts dates natively with ``DATEDIFF``. Used by the reports for ages and
durations summed in one ``GROUP BY`` (no rows loaded).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from qstui.db.compat import FIREBIRD


class _DaysBetween(FunctionElement[int]):
    inherit_cache = True
    type = Integer()
    name = "days_between"


@compiles(_DaysBetween)
def _days_default(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(_DaysBetween, FIREBIRD)
def _days_firebird(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # the casts type a bound day (a parameter alone has no type in DATEDIFF)
    return f"DATEDIFF(DAY, CAST({start} AS DATE), CAST({end} AS DATE))"


def days_between(start: Any, end: Any) -> Any:
    """``end − start`` in whole days (an integer expression; NULL when either is)."""
    return _DaysBetween(start, end)
