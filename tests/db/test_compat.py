"""The portable SQL helpers of ``db/compat.py`` (prefix match, substring, no-index
wrapper, IN lists, UTC time buckets) give the same rows on SQLite and Firebird; the
services use them and never ask which database they run on."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

import qstui
from qstui.db.compat import (
    EPOCH,
    IN_LIMIT,
    bucket_start,
    chunks,
    contains,
    digits_in,
    id_in,
    no_index,
    prefix_match,
    utc_buckets,
    utc_hours,
)
from qstui.db.models import Company
from qstui.domain.normalize import company_name, fold

NAMES = ["Ромашка 100%", "Ромашка_плюс", "Лютик", "ромб"]


@pytest.fixture
def companies(db) -> dict[str, int]:
    with db.transaction() as s:
        s.execute(
            insert(Company),
            [
                {"name": n, "name_fold": fold(n), "name_key": company_name(n), "inn": inn}
                for n, inn in zip(NAMES, ("7707083893", "7736207543", None, None), strict=True)
            ],
        )
        return dict(s.execute(select(Company.name, Company.id)).all())


def _names(db, *conditions) -> list[str]:
    with db.reader() as s:
        return sorted(s.scalars(select(Company.name).where(*conditions)))


def test_prefix_match_and_contains_read_wildcards_as_plain_characters(db, companies):
    assert _names(db, prefix_match(Company.name_fold, "ром")) == sorted([*NAMES[:2], "ромб"])
    assert _names(db, prefix_match(Company.name_fold, "ромашка_")) == ["Ромашка_плюс"]
    assert _names(db, prefix_match(Company.name_fold, "ром%")) == []
    assert _names(db, prefix_match(Company.name_fold, "")) == sorted(NAMES)
    assert _names(db, contains(Company.name_fold, "100%")) == ["Ромашка 100%"]
    assert _names(db, contains(Company.name_fold, "_")) == ["Ромашка_плюс"]
    assert _names(db, contains(Company.name_fold, "машк")) == sorted(NAMES[:2])
    assert _names(db, no_index(Company.name_fold) == "лютик") == ["Лютик"]


def test_prefix_match_uses_the_index_form_of_each_database(db):
    sql = str(
        select(Company.id)
        .where(prefix_match(Company.name_fold, "ром"))
        .compile(dialect=db.engine.dialect)
    )
    if db.backend == "firebird":
        assert "STARTING WITH" in sql.upper()
    else:
        assert ">=" in sql and "<" in sql and "= 1" not in sql
    # one statement for every prefix of a column (prepared once on Firebird)
    other = select(Company.id).where(prefix_match(Company.name_fold, "ромашка"))
    assert str(other.compile(dialect=db.engine.dialect)) == sql


def test_in_lists_are_chunked_at_firebirds_limit(db, companies):
    assert IN_LIMIT == 1500
    assert [len(c) for c in chunks(range(3001))] == [1500, 1500, 1]
    assert list(chunks([])) == []
    wanted = [companies["Лютик"], *range(10**6, 10**6 + IN_LIMIT - 1)]
    [chunk] = chunks(wanted)
    assert _names(db, id_in(Company.id, chunk)) == ["Лютик"]
    assert _names(db, digits_in(Company.inn, ["7707083893", "0000000000"])) == ["Ромашка 100%"]
    with pytest.raises(ValueError):
        digits_in(Company.inn, ["1' OR '1'='1"])


MOMENTS = [
    datetime(1970, 1, 1, 0, 0),
    datetime(2026, 12, 4, 23, 59, 59),
    datetime(2026, 12, 5, 0, 0, 0),
    datetime(2026, 12, 5, 0, 0, 1),
    datetime(2026, 12, 5, 0, 59, 59),
    datetime(2026, 12, 5, 1, 0),
    datetime(2026, 12, 31, 23, 59, 59, 500000),  # a fraction of a second is cut off
    datetime(2027, 1, 1, 0, 0),
    datetime(2028, 2, 29, 20, 59, 59),  # a leap day
    datetime(2038, 1, 19, 3, 14, 8),  # past 2**31 seconds
    datetime(2100, 3, 1, 18, 30),
]


def test_utc_buckets_count_from_1970_as_python_does(db):
    """Whole hours (and shorter buckets) since 1970-01-01 of a stored naive UTC
    timestamp, on either side of midnights and hours."""
    with db.transaction() as s:
        s.execute(
            insert(Company),
            [
                {"name": f"c{n}", "name_fold": f"c{n}", "name_key": f"c{n}", "last_contact_at": at}
                for n, at in enumerate(MOMENTS)
            ],
        )
    steps = (3600, 1800, 900, 60, 1, 86400)
    column = Company.last_contact_at
    with db.reader() as s:
        rows = s.execute(
            select(column, utc_hours(column), *(utc_buckets(column, n) for n in steps))
        ).all()
    assert len(rows) == len(MOMENTS)
    for at, hours, *buckets in rows:
        seconds = int((at - EPOCH).total_seconds())
        assert hours == seconds // 3600, at
        assert buckets == [seconds // n for n in steps], at
        assert bucket_start(hours) <= at < bucket_start(hours + 1)
    with pytest.raises(ValueError):
        utc_buckets(column, 0)


def test_one_bucket_expression_in_the_select_list_and_the_group_by(db):
    """Firebird takes a GROUP BY expression only if it is the select list's one: the
    size is a literal, and two sizes are two statements (not one cached)."""
    hours, halves = utc_buckets(Company.last_contact_at), utc_buckets(Company.last_contact_at, 1800)
    dialect = db.engine.dialect
    sql = str(select(hours).group_by(hours).compile(dialect=dialect))
    assert sql.count("3600" if db.backend == "sqlite" else "* 24") == 2
    assert str(select(halves).compile(dialect=dialect)) != str(
        select(hours).compile(dialect=dialect)
    )
    assert hours._generate_cache_key() != halves._generate_cache_key()


def test_no_service_asks_which_database_it_runs_on():
    services = Path(qstui.__file__).parent / "services"
    asking = re.compile(r"firebird|dialect|\.backend\b", re.IGNORECASE)
    found = []
    for path in sorted(services.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        prose = _docstring_lines(text)
        for number, line in enumerate(text.splitlines(), 1):
            if number not in prose and asking.search(line.split("#", 1)[0]):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


def _docstring_lines(source: str) -> set[int]:
    """The numbers of the lines of ``source`` inside docstrings (text, not code)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines
