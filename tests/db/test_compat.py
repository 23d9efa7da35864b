"""The portable SQL helpers of ``db/compat.py`` (prefix match, substring, no-index
wrapper, IN lists) give the same rows on SQLite and Firebird; the services use them and
never ask which database they run on."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import insert, select

import qstui
from qstui.db.compat import (
    IN_LIMIT,
    chunks,
    contains,
    digits_in,
    id_in,
    no_index,
    prefix_match,
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
