"""Visibility of the reports as a property, on both backends: over generated worlds
(deals of random managers at companies of random managers), a manager's sales,
sources and refusals cover exactly the deals that manager may open, a head's those of
the department — the rule of the lists (``services.visibility``), computed here in
plain Python — and drill-down lists exactly those deals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from deal_support import add, company, make_team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.conftest import wipe

from qstui.db.engine import Database
from qstui.db.models import Deal, Stage
from qstui.domain.enums import DealStatus
from qstui.domain.normalize import fold
from qstui.domain.reports import ReportOptions
from qstui.services.reports.drill import drill
from qstui.services.reports.ready import READY

WHO = ("anna", "boris", "vera", "head")
START = date(2026, 2, 2)


@dataclass(frozen=True)
class DealSpec:
    company: int  # index of the company
    manager: int | None  # index into WHO, None: nobody
    status: DealStatus
    days: int
    kopecks: int


@st.composite
def worlds(draw: Any) -> tuple[list[int | None], list[DealSpec]]:
    companies = draw(st.lists(st.sampled_from((0, 1, 2, 3, None)), min_size=1, max_size=5))
    deals = draw(
        st.lists(
            st.builds(
                DealSpec,
                company=st.integers(0, len(companies) - 1),
                manager=st.sampled_from((0, 1, 2, 3, None)),
                status=st.sampled_from(list(DealStatus)),
                days=st.integers(0, 40),
                kopecks=st.integers(0, 10**9),
            ),
            max_size=12,
        )
    )
    return companies, deals


def _sees(who: str, manager: str | None) -> bool:
    if who == "head":
        return manager in ("anna", "boris", "head")
    return manager == who


def test_reports_cover_exactly_what_the_user_may_see(db: Database, backend: str) -> None:
    @settings(
        max_examples=15 if backend == "sqlite" else 5,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(world=worlds())
    def check(world: tuple[list[int | None], list[DealSpec]]) -> None:
        wipe(db)
        team = make_team(db)
        people = [team.id(w) for w in WHO]
        with db.reader() as s:
            stage = s.execute(select(Stage.id, Stage.pipeline_id)).first()
        company_specs, deal_specs = world
        companies = [
            company(db, f"Клиент {i}", None if m is None else people[m])
            for i, m in enumerate(company_specs)
        ]
        made: list[tuple[int, DealSpec]] = []
        for n, spec in enumerate(deal_specs):
            started = START + timedelta(days=spec.days)
            deal_id = add(
                db,
                Deal(
                    title=f"Сделка {n}",
                    title_fold=fold(f"Сделка {n}"),
                    company_id=companies[spec.company],
                    manager_id=None if spec.manager is None else people[spec.manager],
                    pipeline_id=stage.pipeline_id,
                    stage_id=stage.id,
                    lost_stage_id=stage.id if spec.status is DealStatus.LOST else None,
                    started_on=started,
                    closed_on=None if spec.status is DealStatus.OPEN else started,
                    status=spec.status,
                    amount=Decimal(spec.kopecks) / 100,
                ),
            )
            made.append((deal_id, spec))
        for who in WHO:
            ctx = getattr(team, who)
            seen = [
                (i, d)
                for i, d in made
                if _sees(who, None if d.manager is None else WHO[d.manager])
                or _sees(who, _company_owner(company_specs[d.company]))
            ]
            won = [(i, d) for i, d in seen if d.status is DealStatus.WON]
            lost = [(i, d) for i, d in seen if d.status is DealStatus.LOST]
            sales = READY["sales"](ctx, ReportOptions(by=("manager", "month")))
            assert sales.totals["count"] == len(won)
            assert sales.totals["amount"] == sum(
                (Decimal(d.kopecks) / 100 for _i, d in won), Decimal("0.00")
            )
            assert drill(ctx, sales, None, "amount")[1] == sorted(i for i, _d in won)
            for row in sales.rows:
                ids = drill(ctx, sales, row, "count")[1]
                assert set(ids) <= {i for i, _d in won}
                assert len(ids) == row.values["count"]
            sources = READY["sources"](ctx, ReportOptions())
            assert sources.totals["deals"] == len(seen)
            refusals = READY["refusals"](ctx, ReportOptions())
            assert refusals.totals["count"] == len(lost)

    check()


def _company_owner(index: int | None) -> str | None:
    return None if index is None else WHO[index]
