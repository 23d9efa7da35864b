"""``db.statistics``: after a refresh the planner knows the rows of every table (Firebird:
each index's selectivity, 0 until ``SET STATISTICS INDEX``; SQLite: ``sqlite_stat1``)."""

from __future__ import annotations

from sqlalchemy import text
from tests.services.client_support import make_team

from qstui.db.compat import FIREBIRD
from qstui.db.engine import Database
from qstui.db.setup import init_database
from qstui.db.statistics import refresh_statistics
from qstui.domain.clients import CompanyInput
from qstui.services.clients import companies as C


def company_index_figures(db) -> dict[str, float]:
    with db.engine.connect() as conn:
        if conn.dialect.name == FIREBIRD:
            rows = conn.execute(
                text(
                    "SELECT TRIM(RDB$INDEX_NAME), RDB$STATISTICS FROM RDB$INDICES"
                    " WHERE RDB$RELATION_NAME = 'COMPANIES' AND RDB$INDEX_NAME STARTING 'IX_'"
                )
            )
        elif conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            rows = conn.execute(text("SELECT idx, 1 FROM sqlite_stat1 WHERE tbl = 'companies'"))
        else:
            rows = []
        return {name: float(value or 0) for name, value in rows}


def add_companies(db, n: int) -> None:
    team = make_team(db)
    for i in range(n):
        C.create_company(
            team.ivanov if i % 2 else team.petrova, CompanyInput(name=f"Фирма {i}"), force=True
        )


def test_refresh_gives_every_company_index_figures(scratch_url):
    url = scratch_url("stats")
    init_database(url)
    db = Database(url)
    try:
        add_companies(db, 6)
        before = company_index_figures(db)
        assert not any(before.values())  # nothing known yet: the plans would be guesses

        assert refresh_statistics(db) > 0

        after = company_index_figures(db)
    finally:
        db.dispose()
    assert after and all(value > 0 for value in after.values())
