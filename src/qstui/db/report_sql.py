"""SQL pieces of the reports that differ between SQLite and Firebird 3.

- ``days_between(start, end)``: whole days between two DATE values, the same number on
  both (SQLite keeps dates as ISO text: the difference of their Julian day numbers;
  Firebird: ``DATEDIFF``), for ages and durations summed in one ``GROUP BY``;
- ``grouping_column(column)``: an integer column to GROUP BY, as ``column + 0`` on
  Firebird, where grouping by an indexed column makes the optimizer walk that whole
  index in order and fetch every row at random (an ``ORDER`` plan) instead of reading
  the rows the conditions pick and sorting the few groups; SQLite keeps the column (it
  reads a covering index that leads with it);
- ``shifted(column, minutes)``: a timestamp moved by a whole number of minutes (a
  literal, so that a ``GROUP BY`` of it matches the select list on Firebird), for
  bucketing a UTC timestamp by the local day.
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


class _GroupingColumn(FunctionElement[int]):
    inherit_cache = True
    type = Integer()
    name = "grouping_column"


@compiles(_GroupingColumn)
def _group_key_default(element: _GroupingColumn, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(column, **kw)


@compiles(_GroupingColumn, FIREBIRD)
def _group_key_firebird(element: _GroupingColumn, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"({compiler.process(column, **kw)} + 0)"


def grouping_column(column: Any, name: str) -> Any:
    """``column`` labelled ``name``, grouped by value on Firebird (see the module)."""
    return _GroupingColumn(column).label(name)


class _Shifted(FunctionElement[Any]):
    inherit_cache = False  # the minutes are part of the SQL text
    name = "shifted"

    def __init__(self, column: Any, minutes: int) -> None:
        self.minutes = int(minutes)
        super().__init__(column)


@compiles(_Shifted)
def _shifted_default(element: _Shifted, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"datetime({compiler.process(column, **kw)}, '{element.minutes:+d} minutes')"


@compiles(_Shifted, FIREBIRD)
def _shifted_firebird(element: _Shifted, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"DATEADD(MINUTE, {element.minutes}, {compiler.process(column, **kw)})"


def shifted(column: Any, minutes: int) -> Any:
    """The timestamp ``column`` plus ``minutes`` (no shift: the column itself)."""
    return column if not minutes else _Shifted(column, minutes)
