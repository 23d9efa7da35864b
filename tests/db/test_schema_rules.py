"""The portability rules of ARCHITECTURE.md hold for every table, column, index and
constraint of the model (FIREBIRD.md: 31-character identifiers, no reserved words,
lengths on every string, money as NUMERIC(18, 2))."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String, Text
from sqlalchemy.types import TypeDecorator
from sqlalchemy_firebird.fb_info30 import RESERVED_WORDS as FB3_RESERVED
from sqlalchemy_firebird.fb_info40 import RESERVED_WORDS as FB4_RESERVED

from qstui.db.models import metadata

# Words ARCHITECTURE.md names on top of Firebird's reserved lists.
EXTRA_AVOIDED = {"type", "comment", "password", "position", "value", "date", "time", "user", "key"}
AVOID = {w.lower() for w in FB3_RESERVED | FB4_RESERVED} | EXTRA_AVOIDED


def _identifiers():
    for table in metadata.sorted_tables:
        yield "table", table.name
        for column in table.columns:
            yield "column", f"{table.name}.{column.name}"
        for constraint in table.constraints:
            yield "constraint", constraint.name
        for index in table.indexes:
            yield "index", index.name


def test_identifiers_fit_firebird():
    problems = []
    for kind, name in _identifiers():
        short = name.split(".")[-1]
        if not isinstance(short, str) or not short:
            problems.append(f"unnamed {kind} {name!r}")
        elif len(short) > 31:
            problems.append(f"{kind} {name} is longer than 31 characters")
        elif short.lower() in AVOID:
            problems.append(f"{kind} {name} is a reserved word")
        elif short != short.lower():
            problems.append(f"{kind} {name} is not lower case")
    assert problems == []


def test_the_checker_catches_a_reserved_word():
    assert "value" in AVOID and "position" in AVOID and "user" in AVOID


def _impl(column):
    col_type = column.type
    return col_type.impl if isinstance(col_type, TypeDecorator) else col_type


def test_strings_have_lengths_and_numbers_precision():
    problems = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            col_type = _impl(column)
            name = f"{table.name}.{column.name}"
            if isinstance(col_type, String) and not isinstance(col_type, Text):
                if col_type.length is None:
                    problems.append(f"{name}: String without length")
                elif col_type.length > 8191:
                    problems.append(f"{name}: VARCHAR over 8191")
            if isinstance(col_type, Numeric):
                if col_type.precision is None or col_type.scale is None:
                    problems.append(f"{name}: Numeric without precision/scale")
                elif col_type.precision > 18:
                    problems.append(f"{name}: precision above 18")
    assert problems == []


def test_money_columns_are_numeric_18_2_decimal():
    money = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.name in {"amount", "price", "cost"}:
                col_type = _impl(column)
                money.append(column)
                assert isinstance(col_type, Numeric), column
                assert (col_type.precision, col_type.scale) == (18, 2), column
                assert col_type.asdecimal and col_type.python_type is Decimal, column
    assert len(money) >= 6


def test_every_editable_table_has_a_version_column():
    append_only = {
        "audit_log", "search_words", "exchange_runs", "exchange_log", "sendings",
        "claim_changes", "group_members", "package_materials", "role_rights", "user_rights",
        "settings", "write_locks", "user_tokens",
        "login_delays",  # login bookkeeping, written under the user row's lock, never edited
        # the reports' copies: written by triggers only
        "deal_facts", "stage_facts", "event_facts", "event_hours",
    }  # fmt: skip
    missing = [
        t.name for t in metadata.sorted_tables
        if t.name not in append_only and "version" not in t.columns
    ]  # fmt: skip
    assert missing == []
