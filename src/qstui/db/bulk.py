"""Fast batched inserts for bulk loads: demo data, imports, 1C synchronisation.

SQLite: the driver's ``executemany`` in chunks, with values prepared by the columns' own
SQLAlchemy bind processors (the storage format stays exactly SQLAlchemy's; a third of
the cost of ``conn.execute(table.insert(), rows)``, which other databases get).
Firebird: the Python driver needs a round trip per row (FIREBIRD.md, "Speed of the
Python driver"), so rows are sent as ``EXECUTE BLOCK AS BEGIN INSERT …; INSERT …; END``
with *literal* values — at most 250 rows and 60 000 bytes of statement text per block
(Firebird 3 limits a statement to 64 KB and a string literal to 16 383 UTF8
characters) — about 8 times faster than ``executemany``.

The literals are rendered here, and this module is also used for user data (imports),
so rendering is strict: only known Python types, every ``'`` doubled, no NUL
characters, exact decimals. A row whose statement would exceed the limits is inserted
with bound parameters instead, so no value is ever too long for this path.

Usage::

    with db.engine.connect() as conn:
        insert_rows(conn, Company.__table__, rows)   # rows with explicit ids
        conn.commit()
        restart_identity(conn, Company.__table__)    # next id = max(id) + 1
        conn.commit()                                # Firebird applies DDL at commit
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, text, update
from sqlalchemy.types import TypeDecorator

from qstui.db.compat import FIREBIRD

SQLITE_CHUNK = 5000
BLOCK_ROWS = 250
UPDATE_BLOCK_ROWS = 120  # an UPDATE takes two of a statement's 256 relation contexts
BLOCK_BYTES = 60_000
LITERAL_CHARS = 16_000  # Firebird: a literal has at most 16383 UTF8 characters
_BLOCK_HEAD = "EXECUTE BLOCK AS BEGIN\n"
_BLOCK_TAIL = "END"
_INT64 = 2**63
_PLAIN = frozenset({int, bool, Decimal, date, float, bytes})  # nothing to check
_TIMES = (datetime, time)
_Groups = list[tuple[tuple[str, ...], list[Mapping[str, Any]]]]  # rows by their keys


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (column name → value) into ``table``; returns the number of rows.

    Keys must be column names of ``table`` (a ValueError otherwise); a missing column
    gets its Python-side default, or its server default / identity. Runs in the
    caller's transaction: the caller commits.
    """
    if not rows:
        return 0
    groups = [(keys, list(group)) for keys, group in itertools.groupby(rows, key=_keys)]
    for keys, _group in groups:
        unknown = [k for k in keys if k not in table.c]
        if unknown:
            raise ValueError(f"{table.name}: not a column: {', '.join(map(str, unknown))}")
    if conn.dialect.name == FIREBIRD:
        _insert_firebird(conn, table, groups)
    elif conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark":
        _insert_sqlite(conn, table, groups)
    else:
        _insert_default(conn, table, groups)
    return len(rows)


def update_rows(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: str = "id"
) -> int:
    """Set columns of many rows of ``table``, found by ``key``: every row maps ``key`` and
    the same columns to their new values (numbers, dates, flags, texts of at most
    ``LITERAL_CHARS``; not values a column type converts, such as JSON). Nothing else
    changes: a column's ``onupdate`` default (``updated_at``) is not applied. Firebird:
    ``EXECUTE BLOCK`` with literal values (its driver sends ``executemany`` a row per
    round trip); other backends: one ``executemany``. Returns the number of rows."""
    if not rows:
        return 0
    columns = [name for name in rows[0] if name != key]
    if conn.dialect.name == FIREBIRD:
        prep = conn.dialect.identifier_preparer
        head = f"UPDATE {prep.format_table(table)} SET "
        where = f" WHERE {prep.format_column(table.c[key])} = "
        names = [prep.format_column(table.c[name]) for name in columns]
        parts: list[str] = []
        empty = len(_BLOCK_HEAD) + len(_BLOCK_TAIL)
        size = empty
        for row in rows:
            texts = [literal(row[column]) for column in columns]
            if any(len(text) > LITERAL_CHARS for text in texts):
                raise ValueError(f"{table.name}: a value too long for update_rows")
            sets = ", ".join(f"{name} = {text}" for name, text in zip(names, texts, strict=True))
            statement = f"{head}{sets}{where}{literal(row[key])};"
            length = len(statement.encode("utf-8")) + 1
            if parts and (len(parts) >= UPDATE_BLOCK_ROWS or size + length > BLOCK_BYTES):
                _run_block(conn, parts)
                parts.clear()
                size = empty
            parts.append(statement)
            size += length
        _run_block(conn, parts)
        return len(rows)
    kept = {
        column.key: column
        for column in table.columns
        if column.onupdate is not None and column.key not in columns
    }
    conn.execute(
        update(table)
        .where(table.c[key] == bindparam("b__key"))
        .values({**{name: bindparam(f"b_{name}") for name in columns}, **kept}),
        [{"b__key": row[key], **{f"b_{name}": row[name] for name in columns}} for row in rows],
    )
    return len(rows)


def restart_identity(conn: Connection, table: Table, last_id: int | None = None) -> None:
    """After rows with explicit ids: let the identity continue after ``max(id)``.

    Firebird: ``ALTER TABLE t ALTER COLUMN id RESTART WITH <max id>`` (Firebird 3: the
    next generated value is max + 1). This is DDL: it takes effect when the transaction
    commits, so call it after the inserts were committed, commit right after it, and
    insert nothing without an explicit id into ``table`` in between. SQLite needs
    nothing (its rowid continues after the highest id by itself): a no-op.

    ``last_id``: the highest id, if the caller knows it — Firebird reads ``max(id)`` with
    a full scan (an ascending index does not help), seconds on millions of rows.
    """
    if conn.dialect.name != FIREBIRD:
        return
    pk = list(table.primary_key.columns)
    if len(pk) != 1:
        raise ValueError(f"{table.name}: no single-column primary key")
    column = pk[0]
    top = last_id if last_id is not None else conn.scalar(select(func.max(column))) or 0
    prep = conn.dialect.identifier_preparer
    conn.exec_driver_sql(
        f"ALTER TABLE {prep.format_table(table)} ALTER COLUMN "
        f"{prep.format_column(column)} RESTART WITH {int(top)}"
    )


def reserve_ids(conn: Connection, table: Table, n: int) -> int:
    """Reserve ``n`` ids of ``table`` for rows inserted with explicit ids; returns the
    first. Firebird: the column's identity generator is advanced by ``n`` (``GEN_ID``),
    so concurrent inserts never take them. SQLite: ``max(id) + 1`` — call it inside the
    write transaction after ``db.locks.lock_for_writing`` so no other writer slips in."""
    if n <= 0:
        return 0
    if conn.dialect.name == FIREBIRD:
        generator = conn.execute(
            text(
                "SELECT TRIM(RDB$GENERATOR_NAME) FROM RDB$RELATION_FIELDS "
                "WHERE RDB$RELATION_NAME = :t AND RDB$FIELD_NAME = 'ID'"
            ),
            {"t": table.name.upper()},
        ).scalar()
        if not generator:
            raise RuntimeError(f"{table.name}.id has no identity generator")
        quoted = '"' + str(generator).replace('"', '""') + '"'
        top = conn.exec_driver_sql(f"SELECT GEN_ID({quoted}, {int(n)}) FROM RDB$DATABASE").scalar()
        return int(top) - n + 1
    top = conn.scalar(select(func.max(table.c.id))) or 0
    return int(top) + 1


def _keys(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(row.keys())


# --- SQLite: executemany on the driver --------------------------------------------------


def _insert_sqlite(conn: Connection, table: Table, groups: _Groups) -> None:
    """``executemany`` with values prepared by the columns' own bind processors (the
    same storage format as ``conn.execute(table.insert(), rows)``, a third of the cost)."""
    for keys, group in groups:
        plan = _RowPlan(table, keys, conn.dialect, full_binders=True)
        for start in range(0, len(group), SQLITE_CHUNK):
            batch = [plan.values(row) for row in group[start : start + SQLITE_CHUNK]]
            conn.exec_driver_sql(plan.sql_params, batch)


def _insert_default(conn: Connection, table: Table, groups: _Groups) -> None:
    statement = table.insert()
    for _keys, group in groups:
        batch: list[Mapping[str, Any]] = []
        for row in group:
            for value in row.values():
                _check_value(value)
            batch.append(row)
            if len(batch) >= SQLITE_CHUNK:
                conn.execute(statement, batch)
                batch = []
        if batch:
            conn.execute(statement, batch)


def _check_value(value: Any) -> None:
    """The same refusals on every backend: NUL characters, aware datetimes."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a text value contains a NUL character")
    elif isinstance(value, _TIMES) and value.tzinfo is not None:
        raise ValueError("timestamps are stored naive (UTC): got an aware datetime")


# --- Firebird: EXECUTE BLOCK with literals --------------------------------------------


def _insert_firebird(conn: Connection, table: Table, groups: _Groups) -> None:
    plans: dict[tuple[str, ...], _RowPlan] = {}
    parts: list[str] = []
    empty = len(_BLOCK_HEAD) + len(_BLOCK_TAIL)
    size = empty
    for keys, group in groups:
        plan = plans.get(keys)
        if plan is None:
            plan = plans[keys] = _RowPlan(table, keys, conn.dialect, full_binders=False)
        for row in group:
            size = _add_literal_row(conn, table, plan, row, parts, size, empty)
    if parts:
        _run_block(conn, parts)


def _add_literal_row(
    conn: Connection,
    table: Table,
    plan: _RowPlan,
    row: Mapping[str, Any],
    parts: list[str],
    size: int,
    empty: int,
) -> int:
    """Add ``row``'s INSERT to the block in ``parts`` (running it first when full);
    returns the new block size."""
    statement = plan.render(row)
    length = len(statement.encode("utf-8")) + 1 if statement is not None else BLOCK_BYTES
    if parts and (len(parts) >= BLOCK_ROWS or size + length > BLOCK_BYTES):
        _run_block(conn, parts)
        parts.clear()
        size = empty
    if statement is None or size + length > BLOCK_BYTES:
        # Too long for a literal or for a block of its own: bound parameters.
        conn.execute(table.insert(), [plan.complete(row)])
        return size
    parts.append(statement)
    return size + length


def _run_block(conn: Connection, parts: list[str]) -> None:
    conn.exec_driver_sql(_BLOCK_HEAD + "\n".join(parts) + "\n" + _BLOCK_TAIL)


class _RowPlan:
    """How rows with one set of keys become statement values: the given columns, then
    the Python-side defaults of the missing ones."""

    def __init__(
        self, table: Table, keys: tuple[str, ...], dialect: Any, *, full_binders: bool
    ) -> None:
        prep = dialect.identifier_preparer
        self.defaults: list[tuple[str, Callable[[], Any]]] = [
            (column.key, _default_maker(table, column))
            for column in table.columns
            if column.key not in keys and column.default is not None
        ]
        self.keys = list(keys) + [key for key, _make in self.defaults]
        columns = [table.c[key] for key in self.keys]
        names = ", ".join(prep.format_column(c) for c in columns)
        self.head = f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ("
        self.sql_params = self.head + ", ".join("?" for _ in columns) + ")"
        self.binders: list[Callable[[Any], Any] | None] = []
        for column in columns:
            if full_binders:  # exactly what SQLAlchemy itself would bind (storage format)
                self.binders.append(
                    _fast(column.type.dialect_impl(dialect).bind_processor(dialect))
                )
            elif isinstance(column.type, TypeDecorator):
                self.binders.append(_binder(column.type, dialect))
            else:
                self.binders.append(None)
        self.bound = [(i, bind) for i, bind in enumerate(self.binders) if bind is not None]

    def _raw(self, row: Mapping[str, Any]) -> Iterable[Any]:
        if not self.defaults:
            return row.values()
        return itertools.chain(row.values(), (make() for _key, make in self.defaults))

    def complete(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return dict(zip(self.keys, self._raw(row), strict=True))

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """Driver values: checked, then through the bind processors."""
        out = list(self._raw(row))
        if len(out) != len(self.keys):
            raise ValueError("a row has other keys than the rows before it")
        for value in out:  # this runs for millions of values: cheapest checks first
            kind = type(value)
            if kind is str:
                if "\x00" in value:
                    raise ValueError("a text value contains a NUL character")
            elif kind is datetime:
                if value.tzinfo is not None:
                    raise ValueError("timestamps are stored naive (UTC): got an aware datetime")
            elif kind not in _PLAIN and value is not None:
                _check_value(value)
        for i, bind in self.bound:
            value = out[i]
            if value is not None:
                value = out[i] = bind(value)
                if type(value) is str and "\x00" in value:
                    raise ValueError("a text value contains a NUL character")
        return tuple(out)

    def render(self, row: Mapping[str, Any]) -> str | None:
        """An ``INSERT`` with literal values, or None if a literal would be too long."""
        out = []
        for value, bind in zip(self._raw(row), self.binders, strict=True):
            if bind is not None and value is not None:
                value = bind(value)
            kind = type(value)  # the common exact types first: this runs millions of times
            if kind is str:
                if "\x00" in value:
                    raise ValueError("a text value contains a NUL character")
                text = "'" + value.replace("'", "''") + "'"
            elif kind is int and -_INT64 <= value < _INT64:
                text = str(value)
            elif value is None:
                text = "NULL"
            else:
                text = literal(value)
            if len(text) > LITERAL_CHARS:
                return None
            out.append(text)
        return self.head + ", ".join(out) + ");"


_PROBE = datetime(2001, 2, 3, 4, 5, 6, 7)


def _fast(bind: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """SQLAlchemy's SQLite timestamp processor formats with ``%``; when it produces
    exactly ``isoformat`` (its default storage format), use that, 5 times faster."""
    if bind is None:
        return None
    try:
        same = bind(_PROBE) == _PROBE.isoformat(" ", "microseconds")
    except Exception:
        same = False
    if not same:
        return bind

    def fast(value: Any) -> Any:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")
        return bind(value)

    return fast


def _binder(ctype: TypeDecorator[Any], dialect: Any) -> Callable[[Any], Any]:
    def bind(value: Any) -> Any:
        return ctype.process_bind_param(value, dialect)

    return bind


def _default_maker(table: Table, column: Any) -> Callable[[], Any]:
    default = column.default
    if default.is_scalar:
        value = default.arg
        return lambda: value
    if default.is_callable:
        fn = default.arg
        return lambda: fn(None)
    raise ValueError(f"{table.name}.{column.name}: give a value (its default is not a constant)")


def literal(value: Any) -> str:
    """``value`` as a Firebird SQL literal. Raises ValueError/TypeError for anything it
    cannot render exactly."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a text value contains a NUL character")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Enum):
        return literal(str(value.value))
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValueError(f"integer out of the 64-bit range: {value}")
        return str(value)
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("timestamps are stored naive (UTC): got an aware datetime")
        # "YYYY-MM-DD HH:MM:SS[.ffffff]": Firebird keeps 100 µs, i.e. 4 digits
        text = value.isoformat(" ")
        return f"TIMESTAMP '{text[:24]}'" if value.microsecond else f"TIMESTAMP '{text}.0000'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("times are stored naive: got an aware time")
        return (
            f"TIME '{value.hour:02d}:{value.minute:02d}:{value.second:02d}."
            f"{value.microsecond // 100:04d}'"
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        mantissa, _e, exponent = repr(value).partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}E{exponent}" if exponent else f"{mantissa}E0"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"X'{bytes(value).hex()}'"
    raise TypeError(f"cannot write a value of type {type(value).__name__}")


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    text = format(value, "f")
    digits = sum(ch.isdigit() for ch in text)
    if digits > 18:
        raise ValueError(f"more than 18 digits cannot be stored exactly: {text}")
    return text


__all__ = [
    "BLOCK_BYTES",
    "BLOCK_ROWS",
    "insert_rows",
    "literal",
    "restart_identity",
    "update_rows",
]
