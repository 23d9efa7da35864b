"""A seeded world for the report tests, and the reports computed over it in plain
Python — the independent side every service report is compared with.

The world: the team of ``deal_support`` (anna, boris and the head in Sales, vera in
Support), companies of each of them and an unassigned one, deals in RUB, USD and EUR
with random amounts (to the kopeck), statuses, stages, sources, refusal reasons and
products, actual payments, and claims. Rates are set on a few days only, so most
conversions use an earlier day's rate.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from tests.services.deal_support import Team, add, company, make_team, product

from qstui.db.engine import Database
from qstui.db.models import (
    Claim,
    Company,
    CurrencyRate,
    Deal,
    DealItem,
    Department,
    Payment,
    RefusalReason,
    Region,
    Source,
    Stage,
)
from qstui.domain.enums import ClaimStatus, DealStatus, PaymentKind
from qstui.domain.normalize import fold

KOPECK = Decimal("0.01")
RATES: dict[str, list[tuple[date, Decimal, int]]] = {
    "USD": [
        (date(2026, 1, 5), Decimal("90.5000"), 1),
        (date(2026, 2, 2), Decimal("91.2500"), 1),
        (date(2026, 3, 2), Decimal("88.1234"), 1),
    ],
    "EUR": [(date(2026, 1, 5), Decimal("99.9000"), 1), (date(2026, 2, 16), Decimal("101.1"), 1)],
    "KZT": [(date(2026, 1, 5), Decimal("17.3456"), 100)],
}
FIRST_DAY = date(2026, 1, 10)
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))


@dataclass
class DealRow:
    id: int
    company: int
    manager: int | None
    company_manager: int | None
    status: DealStatus
    currency: str
    amount: Decimal
    started_on: date
    closed_on: date | None
    source: int | None
    stage: int | None
    lost_reason: int | None
    lost_stage: int | None
    region: int | None
    items: list[tuple[int, Decimal]] = field(default_factory=list)


@dataclass
class ClaimRow:
    id: int
    company_manager: int | None
    employee: int | None
    department: int | None
    status: ClaimStatus
    registered_at: datetime


@dataclass
class World:
    team: Team
    deals: list[DealRow]
    claims: list[ClaimRow]
    departments: dict[str, int]


def set_rates(db: Database) -> None:
    with db.transaction() as s:
        for code, rows in RATES.items():
            for day, rate, nominal in rows:
                s.add(CurrencyRate(currency_code=code, rate_date=day, rate=rate, nominal=nominal))


def rate(code: str, day: date) -> Decimal:
    if code == "RUB":
        return Decimal(1)
    known = [(d, r / n) for d, r, n in RATES[code] if d <= day]
    return max(known)[1]


def convert(amount: Decimal, code: str, to: str, day: date) -> Decimal:
    if code == to:
        return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)
    return (amount * rate(code, day) / rate(to, day)).quantize(KOPECK, rounding=ROUND_HALF_UP)


def build_world(db: Database, seed: int = 7, n_deals: int = 60) -> World:
    rnd = random.Random(seed)
    team = make_team(db)
    set_rates(db)
    people = [team.id("anna"), team.id("boris"), team.id("vera"), team.id("head"), None]
    with db.reader() as s:
        stages = s.execute(select(Stage.id, Stage.pipeline_id)).all()
        pipeline = stages[0].pipeline_id
        stage_ids = [st.id for st in stages if st.pipeline_id == pipeline]
        sources = list(s.scalars(select(Source.id)))[:4]
        reasons = list(s.scalars(select(RefusalReason.id)))[:3]
        regions = list(s.scalars(select(Region.id)))[:3]
        departments = {d.name: d.id for d in s.execute(select(Department.id, Department.name))}
    products = [product(db, f"Товар {i}", "100") for i in range(3)]
    companies: list[tuple[int, int | None, int | None]] = []
    for i, manager in enumerate(people):
        for j in range(2):
            region = rnd.choice([*regions, None])
            cid = company(db, f"Клиент {i}-{j}", manager)
            with db.transaction() as s:
                s.get_one(Company, cid).region_id = region
            companies.append((cid, manager, region))
    deals: list[DealRow] = []
    for n in range(n_deals):
        cid, company_manager, region = rnd.choice(companies)
        manager = rnd.choice(people)
        status = rnd.choice(list(DealStatus))
        currency = rnd.choice(("RUB", "RUB", "USD", "EUR", "KZT"))
        started = FIRST_DAY + timedelta(days=rnd.randrange(0, 120))
        closed = started + timedelta(days=rnd.randrange(0, 60)) if status != "open" else None
        lines = [
            (rnd.choice(products), Decimal(rnd.randrange(1, 10_000_000)) / 100)
            for _ in range(rnd.randrange(0, 3))
        ]
        amount = (
            sum((a for _p, a in lines), Decimal(0))
            if lines
            else Decimal(rnd.randrange(0, 500_000)) / 100
        )
        row = DealRow(
            id=0,
            company=cid,
            manager=manager,
            company_manager=company_manager,
            status=DealStatus(status),
            currency=currency,
            amount=amount,
            started_on=started,
            closed_on=closed,
            source=rnd.choice([*sources, None]),
            stage=rnd.choice(stage_ids),
            lost_reason=rnd.choice([*reasons, None]) if status == "lost" else None,
            lost_stage=rnd.choice(stage_ids) if status == "lost" else None,
            region=region,
            items=lines,
        )
        row.id = add(
            db,
            Deal(
                title=f"Сделка {n}",
                title_fold=fold(f"Сделка {n}"),
                company_id=cid,
                manager_id=manager,
                pipeline_id=pipeline,
                stage_id=row.stage,
                source_id=row.source,
                started_on=started,
                closed_on=closed,
                currency_code=currency,
                status=row.status,
                amount=amount,
                lost_reason_id=row.lost_reason,
                lost_stage_id=row.lost_stage,
            ),
        )
        with db.transaction() as s:
            for k, (pid, line) in enumerate(lines, start=1):
                s.add(
                    DealItem(
                        deal_id=row.id, product_id=pid, line_no=k, qty=1, price=line, amount=line
                    )
                )
        deals.append(row)
    claims: list[ClaimRow] = []
    for n in range(12):
        cid, company_manager, _region = rnd.choice(companies)
        employee = rnd.choice(people)
        department = rnd.choice([*departments.values(), None])
        status = rnd.choice(list(ClaimStatus))
        registered = datetime(2026, 1, 10) + timedelta(days=rnd.randrange(0, 150), hours=n)
        claim_id = add(
            db,
            Claim(
                company_id=cid,
                subject=f"Претензия {n}",
                department_id=department,
                employee_id=employee,
                status=status,
                registered_at=registered,
            ),
        )
        claims.append(ClaimRow(claim_id, company_manager, employee, department, status, registered))
    return World(team, deals, claims, departments)


def add_payment(db: Database, deal: DealRow, day: date, amount: str, currency: str = "RUB") -> int:
    return add(
        db,
        Payment(
            deal_id=deal.id,
            company_id=deal.company,
            pay_kind=PaymentKind.ACTUAL,
            pay_date=day,
            amount=Decimal(amount),
            currency_code=currency,
        ),
    )


# --- the visibility rule, in plain Python ---------------------------------------------------


def visible_managers(world: World, who: str) -> set[int | None] | None:
    """The managers ``who`` sees (None: everybody)."""
    team = world.team
    if who == "system":
        return None
    if who == "head":
        return {team.id("anna"), team.id("boris"), team.id("head")}
    return {team.id(who)}


def deal_seen(world: World, who: str, deal: DealRow) -> bool:
    managers = visible_managers(world, who)
    return managers is None or deal.manager in managers or deal.company_manager in managers


# --- the reports, in plain Python ------------------------------------------------------------


def in_period(day: date | None, period: tuple[date, date] | None) -> bool:
    return day is not None and (period is None or period[0] <= day <= period[1])


def money_by(rows: list[tuple[Any, str, date, Decimal]], to: str) -> dict[Any, Decimal]:
    """Sums per group in ``to`` (the rule the reports state): amounts already in ``to``
    summed and rounded once; others summed per (group, currency, day), each sum
    converted at the rate of its day and rounded."""
    per_day: dict[tuple[Any, str, date], Decimal] = defaultdict(Decimal)
    same: dict[Any, Decimal] = defaultdict(Decimal)
    for group, code, day, amount in rows:
        if code == to:
            same[group] += amount
        else:
            per_day[(group, code, day)] += amount
    out: dict[Any, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for group, amount in same.items():
        out[group] += amount.quantize(KOPECK, rounding=ROUND_HALF_UP)
    for (group, code, day), amount in per_day.items():
        out[group] += convert(amount, code, to, day)
    return dict(out)


def month(day: date) -> date:
    return day.replace(day=1)
