"""SQL pieces of the reports that differ between SQLite and Firebird 3.

- ``days_between(start, end)``: whole days between two DATE values, the same number on
  both (SQLite keeps dates as ISO text: the difference of their Julian day numbers;
  Firebird: ``DATEDIFF``), for ages and durations summed in one ``GROUP BY``;
- ``grouping_column(column)``: an integer column to GROUP BY, as ``column + 0`` on
  Firebird, where grouping by an indexed column makes the optimizer walk that whole
  index in order and fetch every row at random (an ``ORDER`` plan) instead of reading
  the rows the conditions pick and sorting the few groups; SQLite keeps the column (it
  reads a covering index that leads with it).
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
