"""The thin compatibility layer that makes one schema and one query style work on
SQLite and on Firebird 3 (see FIREBIRD.md for the measured reasons).

Services write portable SQL with these helpers and never ask which database they run
on; a difference between the two lives here (or in another ``db/`` module) only.

Alembic's Firebird spellings are in ``db/alembic_firebird.py`` (imported by the
migrations only). This module holds:
- ``prefix_match(column, value)``: an index-friendly "starts with" on normalized
  columns — ``STARTING WITH`` on Firebird, a half-open range elsewhere;
- ``contains(column, needle)``: a literal substring test (never index-using);
- ``no_index(column)``: the same value, but a planner will not drive by its index;
- ``chunks`` / ``id_in`` / ``digits_in``: ``IN (...)`` lists within Firebird's limit of
  1500 values, with trusted values written as literals;
- ``utc_buckets(column, seconds)`` / ``utc_hours(column)``: a naive UTC timestamp as the
  number of whole buckets (hours) since 1970-01-01, for counts per period in one
  ``GROUP BY``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Integer, String, and_, bindparam, cast, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

FIREBIRD = "firebird.firebird"
MAX_IDENTIFIER = 31
# The highest code point: every string that starts with ``p`` sorts in [p, p + TOP).
_TOP = "\U0010ffff"
IN_LIMIT = 1500  # Firebird: at most 1500 values in IN (...)

T = TypeVar("T")


def constraint_name(prefix: str, *parts: str) -> str:
    """A constraint/index name of at most 31 characters, stable for the same input."""
    name = "_".join((prefix, *parts))
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    return f"{name[: MAX_IDENTIFIER - 7]}_{digest}"


# --- Prefix search ---------------------------------------------------------------------


class PrefixMatch(FunctionElement[bool]):
    """``column`` starts with ``value`` (both already normalized by the caller).

    Arguments: the column, the prefix and the prefix's upper bound, all as clauses, so
    that statement caching keeps the values as bound parameters.
    """

    inherit_cache = True
    type = Boolean()
    name = "prefix_match"
    # A condition in its own right: without this, SQLite (no native booleans) would
    # get "… = 1" appended, which splits the range and loses the index.
    _is_implicitly_boolean = True


@compiles(PrefixMatch)
def _prefix_default(element: PrefixMatch, compiler: Any, **kw: Any) -> str:
    column, low, high = element.clauses
    return compiler.process(and_(column >= low, column < high), **kw)


@compiles(PrefixMatch, FIREBIRD)
def _prefix_firebird(element: PrefixMatch, compiler: Any, **kw: Any) -> str:
    column, low, _high = element.clauses
    return f"{compiler.process(column, **kw)} STARTING WITH {compiler.process(low, **kw)}"


def prefix_match(column: Any, value: str) -> ColumnElement[bool]:
    """An index-using prefix condition; ``value`` is bound as a parameter, never SQL."""
    # A length on the parameters: Firebird's dialect casts a length-less String bind to
    # BLOB, and STARTING WITH a BLOB cannot use the index (a full scan: 35 s instead of
    # milliseconds on 4.8M index words). The column's own length when it has one, so
    # that every prefix on a column gives the same statement (prepared once).
    size = max(getattr(getattr(column, "type", None), "length", None) or 0, len(value)) + 1
    low = bindparam(None, value, type_=String(size), unique=True)
    high = bindparam(None, value + _TOP, type_=String(size + 1), unique=True)
    return PrefixMatch(column, low, high)


# --- Substrings and plans ------------------------------------------------------------------


class _Position(FunctionElement[int]):
    """1-based position of ``needle`` in ``column``, 0 when absent: ``instr`` on SQLite,
    ``POSITION`` on Firebird. Arguments: the column, then the needle."""

    inherit_cache = True
    type = Integer()
    name = "position_of"


@compiles(_Position)
def _position_default(element: _Position, compiler: Any, **kw: Any) -> str:
    column, needle = element.clauses
    return f"instr({compiler.process(column, **kw)}, {compiler.process(needle, **kw)})"


@compiles(_Position, FIREBIRD)
def _position_firebird(element: _Position, compiler: Any, **kw: Any) -> str:
    column, needle = element.clauses
    return f"position({compiler.process(needle, **kw)}, {compiler.process(column, **kw)})"


def contains(column: Any, needle: str) -> ColumnElement[bool]:
    """``needle`` occurs literally in ``column`` (no wildcards: ``%`` and ``_`` are plain
    characters). Not index-using: only for small candidate sets or rare cases."""
    value = cast(bindparam(None, needle, type_=String(), unique=True), String(max(1, len(needle))))
    return _Position(column, value) > 0


def no_index(column: Any) -> Any:
    """``column || ''``: the same value, but the planner will not drive by its index
    (when another condition of the query is the selective one)."""
    return column.concat(literal_column("''"))


# --- Time buckets ----------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1)
HOUR = 3600


class _UtcBuckets(FunctionElement[int]):
    """Whole ``seconds``-long buckets from 1970-01-01 00:00 to a naive UTC timestamp.
    Arguments: the column only; the size is an attribute (always an integer literal in
    the SQL, so that the select list and the GROUP BY are one expression on Firebird)."""

    inherit_cache = True
    type = Integer()
    name = "utc_buckets"
    # the size is part of the statement (and of its cache key)
    _traverse_internals = [
        *FunctionElement._traverse_internals,
        ("seconds", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, column: Any, seconds: int) -> None:
        self.seconds = int(seconds)
        super().__init__(column)


@compiles(_UtcBuckets)
def _buckets_default(element: _UtcBuckets, compiler: Any, **kw: Any) -> str:
    # SQLite keeps timestamps as ISO text; strftime('%s') reads it as UTC seconds.
    (column,) = element.clauses
    return (
        f"(CAST(strftime('%s', {compiler.process(column, **kw)}) AS INTEGER) / {element.seconds})"
    )


@compiles(_UtcBuckets, FIREBIRD)
def _buckets_firebird(element: _UtcBuckets, compiler: Any, **kw: Any) -> str:
    # Dialect 3: DATE - DATE is a number of days; integer / integer truncates.
    (column,) = element.clauses
    col = compiler.process(column, **kw)
    days = f"(CAST({col} AS DATE) - DATE '1970-01-01')"
    if element.seconds == HOUR:
        return f"({days} * 24 + EXTRACT(HOUR FROM {col}))"
    seconds = (
        f"{days} * 86400 + EXTRACT(HOUR FROM {col}) * 3600 + EXTRACT(MINUTE FROM {col}) * 60"
        f" + CAST(FLOOR(EXTRACT(SECOND FROM {col})) AS INTEGER)"
    )
    return f"(({seconds}) / {element.seconds})"


def utc_buckets(column: Any, seconds: int = HOUR) -> ColumnElement[int]:
    """``column`` (naive UTC, from 1970 on) as whole ``seconds``-long buckets since
    1970-01-01: ``bucket_start(n, seconds)`` is where bucket ``n`` begins."""
    if seconds <= 0:
        raise ValueError("a bucket is at least one second long")
    return _UtcBuckets(column, seconds)


def utc_hours(column: Any) -> ColumnElement[int]:
    """Whole hours since 1970-01-01 to ``column`` (naive UTC)."""
    return utc_buckets(column, HOUR)


def bucket_start(number: int, seconds: int = HOUR) -> datetime:
    """The naive UTC moment bucket ``number`` of ``utc_buckets(…, seconds)`` begins."""
    return EPOCH + timedelta(seconds=number * seconds)


# --- IN lists ----------------------------------------------------------------------------


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """``values`` in lists of at most ``IN_LIMIT``, one ``IN (...)`` each."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= IN_LIMIT:
            yield batch
            batch = []
    if batch:
        yield batch


def id_in(column: Any, ids: Iterable[int]) -> Any:
    """``column IN (ids)`` with the integers written into the statement (never user
    text): Firebird prepares a 1500-value IN of literals about five times faster than
    one of bound parameters. Chunk ``ids`` with ``chunks`` first."""
    values = [int(v) for v in ids]
    return column.in_(
        bindparam(None, values, type_=Integer(), expanding=True, literal_execute=True, unique=True)
    )


def digits_in(column: Any, codes: Iterable[str]) -> Any:
    """``column IN (codes)`` for validated digit strings (INN…), written as literals."""
    values = [str(v) for v in codes]
    if not all(v.isascii() and v.isdigit() for v in values):
        raise ValueError("digits_in takes digit strings only")
    return column.in_(
        bindparam(None, values, type_=String(), expanding=True, literal_execute=True, unique=True)
    )


def commit_ddl(connection: Any) -> None:
    """Make DDL done so far in this transaction visible (Firebird applies DDL at commit).

    ``commit(retaining=True)`` keeps the transaction context, so Alembic and SQLAlchemy
    carry on as if nothing happened. A no-op on other databases.
    """
    if connection.dialect.name != FIREBIRD:
        return
    connection.connection.dbapi_connection.commit(retaining=True)
