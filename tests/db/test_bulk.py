"""``db.bulk``: batched inserts round-trip every value exactly on both backends —
including hostile strings (the Firebird path renders literals) — and identities
continue after explicit ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    insert,
    select,
)

from qstui.db import bulk
from qstui.db.bulk import insert_rows, literal, restart_identity, update_rows
from qstui.db.compat import commit_ddl
from qstui.db.models import Setting
from qstui.db.types import MONEY, PERCENT, RATE, EnumText, JSONText
from qstui.domain.enums import ClientKind

HOSTILE = [
    "O'Reilly",
    "''",
    "'",
    "'; DROP TABLE bulk_probe; --",
    "' || (SELECT 1 FROM rdb$database) || '",
    "\\",
    "\\'",
    "C:\\temp\\new\\",
    "q'{not a quote}'",
    "?",
    ":name",
    "%s %(x)s %% {} $1",
    "END; END",
    "line1\nline2\r\nline3\ttab",
    "\x01\x1f\x7f",
    "Юлия «Ёлка» — ёжик",
    "😀🚀 emoji",
    "zero\u200bwidth\u2028sep",
    "e\u0301 combining",
    "עברית RTL",
    "",
    " ",
    "a" * 4000,
    "я" * 4000,
    "😀" * 4000,
    "'" * 4000,
]

probe_metadata = MetaData()
PROBE = Table(
    "bulk_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(4000)),
    Column("memo", Text),
    Column("amount", MONEY),
    Column("rate", RATE),
    Column("pct", PERCENT),
    Column("qty", Numeric(18, 3, asdecimal=True)),
    Column("flag", Boolean),
    Column("day", Date),
    Column("moment", DateTime),
    Column("kind", EnumText(ClientKind)),
    Column("data", JSONText(2000)),
    Column("blob", LargeBinary),
    Column("version", Integer, nullable=False, default=1),
)


@pytest.fixture
def probe(db) -> Iterator[Table]:
    with db.engine.begin() as conn:
        probe_metadata.drop_all(conn)
        probe_metadata.create_all(conn)
        commit_ddl(conn)
    yield PROBE
    db.engine.dispose()  # Firebird: no connection may still use the table when it goes
    with db.engine.begin() as conn:
        probe_metadata.drop_all(conn)


def _read(db, table: Table) -> list[dict]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]


def test_every_type_round_trips_exactly(db, probe):
    rows = [
        {
            "id": 1,
            "label": "Счет № 1",
            "memo": "ж" * 20000,  # longer than a Firebird literal: bound parameters
            "amount": Decimal("1234567890123.45"),
            "rate": Decimal("0.181234"),
            "pct": Decimal("12.345"),
            "qty": Decimal("0.001"),
            "flag": True,
            "day": date(1900, 1, 1),
            "moment": datetime(2026, 11, 23, 14, 5, 6, 123400),
            "kind": ClientKind.PROSPECT,
            "data": {"who": "O'Reilly", "items": [1, "я", None], "ok": True, "nul": "a\x00b"},
            "blob": bytes(range(256)) * 200,  # 51 200 bytes
        },
        {
            "id": 2,
            "label": None,
            "memo": None,
            "amount": Decimal("-0.01"),
            "rate": Decimal("98.5"),
            "pct": Decimal("0"),
            "qty": Decimal("999999999999.999"),
            "flag": False,
            "day": date(2026, 2, 28),
            "moment": datetime(1999, 12, 31, 23, 59, 59),
            "kind": "client",
            "data": None,
            "blob": b"",
        },
        {
            "id": 3,
            "label": "x",
            "memo": "short",
            "amount": Decimal("0.10"),
            "rate": None,
            "pct": None,
            "qty": None,
            "flag": None,
            "day": None,
            "moment": None,
            "kind": None,
            "data": [],
            "blob": b"\x00\x01'\xff",
        },
    ]
    with db.engine.connect() as conn:
        assert insert_rows(conn, probe, rows) == 3
        conn.commit()
    got = _read(db, probe)
    assert len(got) == 3
    for want, row in zip(rows, got, strict=True):
        for key, value in want.items():
            if key == "kind" and value is not None:
                value = ClientKind(value)
            assert row[key] == value, key
        assert row["version"] == 1  # the Python-side default of a missing column
    assert str(got[0]["amount"]) == "1234567890123.45"
    assert str(got[2]["amount"]) == "0.10"


def test_stored_exactly_like_sqlalchemy_stores(db, probe):
    """The driver-level values equal those of ``conn.execute(table.insert(), …)`` (on
    SQLite: the same text for timestamps and dates, so SQL comparisons agree)."""
    row = {
        "label": "x'y",
        "amount": Decimal("10.50"),
        "rate": Decimal("90.1234"),
        "flag": True,
        "day": date(2026, 11, 23),
        "moment": datetime(2026, 11, 23, 6, 0),
        "kind": ClientKind.CLIENT,
        "data": {"a": [1, 2]},
    }
    with db.engine.connect() as conn:
        insert_rows(conn, probe, [{"id": 1, **row}, {"id": 3, **row, "moment": None}])
        conn.execute(insert(probe), [{"id": 2, **row}])
        conn.commit()
        prep = conn.dialect.identifier_preparer  # "day" is reserved on Firebird: quoted
        names = ", ".join(prep.format_column(probe.c[name]) for name in row)
        raw = conn.exec_driver_sql(f"SELECT {names} FROM bulk_probe ORDER BY id").fetchall()
    assert raw[0] == raw[1]
    assert raw[2][list(row).index("moment")] is None
    if db.backend == "sqlite":
        assert raw[0][list(row).index("moment")] == "2026-11-23 06:00:00.000000"


def test_hostile_strings_round_trip(db, probe):
    rows = [{"id": i, "label": s, "memo": s} for i, s in enumerate(HOSTILE, start=1)]
    with db.engine.connect() as conn:
        assert insert_rows(conn, probe, rows) == len(HOSTILE)
        conn.commit()
    got = _read(db, probe)
    assert [r["label"] for r in got] == HOSTILE
    assert [r["memo"] for r in got] == HOSTILE
    # the "DROP TABLE" string was data: the table is still there with every row
    assert len(got) == len(HOSTILE)


def test_many_rows_split_into_blocks(db, probe):
    rows = [
        {"id": i, "label": f"строка {i} 'q'", "amount": Decimal(i) / 100, "flag": i % 2 == 0}
        for i in range(1, 1201)
    ]
    rows += [{"id": 2000 + i, "label": "😀" * 3999 + str(i)} for i in range(10)]  # 16 KB each
    with db.engine.connect() as conn:
        assert insert_rows(conn, probe, rows) == 1210
        conn.commit()
    got = _read(db, probe)
    assert len(got) == 1210
    assert sum(r["amount"] for r in got if r["amount"] is not None) == Decimal("7206.00")
    assert got[-1]["label"] == "😀" * 3999 + "9"
    assert sum(1 for r in got if r["flag"]) == 600


def test_update_rows_sets_many_rows_by_id(db, probe):
    rows = [{"id": i, "label": "x", "amount": Decimal(0), "flag": False} for i in range(1, 601)]
    with db.engine.connect() as conn:
        insert_rows(conn, probe, rows)
        changes = [
            {"id": i, "label": HOSTILE[i % 22], "amount": Decimal(i) / 100, "flag": i % 3 == 0}
            for i in range(1, 601, 2)
        ]
        assert update_rows(conn, probe, changes) == 300
        conn.commit()
    got = {r["id"]: r for r in _read(db, probe)}
    for change in changes:
        assert {k: got[change["id"]][k] for k in change} == change
    assert got[2] == {**got[2], "label": "x", "amount": Decimal("0.00"), "flag": False}
    assert update_rows(db.engine.connect(), probe, []) == 0


def test_statement_limits_are_respected():
    # A block never exceeds the limits the Firebird path promises.
    assert bulk.BLOCK_ROWS <= 250
    assert bulk.BLOCK_BYTES <= 60_000
    assert bulk.LITERAL_CHARS < 16_383


@pytest.mark.parametrize(
    "bad",
    [
        {"id": 1, "label": "nul\x00inside"},
        {"id": 1, "label": "lone \ud800 surrogate"},
        {"id": 1, "moment": datetime(2026, 1, 1, tzinfo=UTC)},
        {"id": 1, "label": "ok", "no_such_column": 1},
        {"id": 1, "label": "ok", "label; DROP TABLE x": 1},
    ],
)
def test_refused_values_insert_nothing(db, probe, bad):
    with db.engine.connect() as conn:
        with pytest.raises(ValueError):
            insert_rows(conn, probe, [{"id": 5, "label": "before"}, bad])
        conn.rollback()
    assert _read(db, probe) == []


def test_empty_rows_do_nothing(db, probe):
    with db.engine.connect() as conn:
        assert insert_rows(conn, probe, []) == 0


@pytest.mark.parametrize("last_id", [None, 77])  # read max(id), or told it
def test_identity_continues_after_explicit_ids(db, last_id):
    table = Setting.__table__
    with db.engine.connect() as conn:
        insert_rows(
            conn,
            table,
            [{"id": 41, "name": "a", "val": {"x": 1}}, {"id": 77, "name": "b", "val": None}],
        )
        conn.commit()
        restart_identity(conn, table, last_id)
        conn.commit()
        new_id = conn.execute(insert(table).values(name="c")).inserted_primary_key[0]
        conn.commit()
    assert new_id == 78
    got = _read(db, table)
    assert [(r["id"], r["name"]) for r in got] == [(41, "a"), (77, "b"), (78, "c")]
    assert json.loads(json.dumps(got[0]["val"])) == {"x": 1}


def test_identity_restart_on_an_empty_table(db):
    table = Setting.__table__
    with db.engine.connect() as conn:
        restart_identity(conn, table)
        conn.commit()
        new_id = conn.execute(insert(table).values(name="first")).inserted_primary_key[0]
        conn.commit()
    assert new_id == 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (False, "FALSE"),
        (-42, "-42"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.50"), "-0.50"),
        (date(2026, 3, 8), "DATE '2026-03-08'"),
        (datetime(2026, 3, 8, 9, 5, 7, 123456), "TIMESTAMP '2026-03-08 09:05:07.1234'"),
        (ClientKind.PARTNER, "'partner'"),
        ("it's", "'it''s'"),
        (b"\x00'", "X'0027'"),
        (1.5, "1.5E0"),
        (1e-05, "1.0E-05"),
    ],
)
def test_literal_rendering(value, text):
    assert literal(value) == text


@pytest.mark.parametrize(
    "value",
    [Decimal("NaN"), Decimal("1234567890123456789"), float("inf"), 2**63, object(), "a\x00b"],
)
def test_literal_refuses_what_it_cannot_render_exactly(value):
    with pytest.raises((ValueError, TypeError)):
        literal(value)


def test_generic_executemany_path_stores_the_same(db, probe):
    """The fallback for other databases (plain ``executemany``) agrees with the fast path."""
    rows = [
        {"id": i, "label": s, "amount": Decimal("1.05"), "kind": "partner"}
        for i, s in enumerate(HOSTILE[:8], start=1)
    ]
    with db.engine.connect() as conn:
        bulk._insert_default(conn, probe, [(tuple(rows[0]), rows)])
        insert_rows(conn, probe, [{**r, "id": r["id"] + 100} for r in rows])
        conn.commit()
    got = _read(db, probe)
    slow, fast = got[:8], got[8:]
    for a, b in zip(slow, fast, strict=True):
        assert {**a, "id": 0} == {**b, "id": 0}
    assert [r["label"] for r in slow] == HOSTILE[:8]
