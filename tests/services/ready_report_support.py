"""A seeded world for the ready-report tests (R1, R3, R6, R7): deals with their stage
history, documents, payments, events and rates written with the ORM, and the same rows
kept here as plain Python, so each test computes its report independently.

Rates: USD and EUR have rates on some days only, so most conversions take the latest
earlier rate; every currency has a rate before the world's first day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from deal_support import Team, company, make_team
from sqlalchemy import select
from tests.conftest import at_local, wipe

from qstui.db.engine import Database
from qstui.db.models import (
    ClientTerms,
    CurrencyRate,
    Deal,
    DealDocument,
    DealStage,
    Event,
    EventType,
    Payment,
    Pipeline,
    Stage,
)
from qstui.domain import clock
from qstui.domain.enums import DealStatus, DocKind, DocState, EventStatus, PaymentKind
from qstui.domain.normalize import fold
from qstui.services.deals.sums import recount_deal_money

KOPECK = Decimal("0.01")
FIRST = date(2025, 1, 1)  # the world's first day
LAST = date(2026, 8, 31)  # and its last
TODAY = date(2026, 6, 15)  # the frozen "today" of the report tests
MANAGERS = ("anna", "boris", "vera")


def kop(value: Decimal) -> Decimal:
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass
class World:
    team: Team
    pipeline_id: int
    stages: list[dict[str, Any]]  # active stages of the default pipeline, in order
    companies: dict[int, int | None] = field(default_factory=dict)  # id -> manager
    deals: list[dict[str, Any]] = field(default_factory=list)
    stage_rows: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    limits: dict[int, Decimal] = field(default_factory=dict)  # company -> credit limit
    rates: dict[str, dict[date, Decimal]] = field(default_factory=dict)
    event_types: dict[int, str] = field(default_factory=dict)

    # --- conversions as the tests compute them --------------------------------------

    def rate(self, code: str, day: date) -> Decimal:
        if code == "RUB":
            return Decimal(1)
        days = [d for d in self.rates[code] if d <= day]
        return self.rates[code][max(days)]

    def convert(self, amount: Decimal, code: str, target: str, day: date) -> Decimal:
        if code == target:
            return kop(amount)
        with localcontext() as c:
            c.prec = 40
            return kop(amount * self.rate(code, day) / self.rate(target, day))

    def grouped(self, items: list[tuple[Any, Decimal, str, date]], target: str) -> dict:
        """Sums per key: amounts in ``target`` as they are, others summed per (key,
        currency, day) and each sum converted — the reports' rule, written plainly."""
        out: dict[Any, Decimal] = {}
        parts: dict[tuple[Any, str, date], Decimal] = {}
        for key, amount, code, day in items:
            if code == target:
                out[key] = out.get(key, Decimal(0)) + amount
            else:
                parts[(key, code, day)] = parts.get((key, code, day), Decimal(0)) + amount
        for (key, code, day), amount in parts.items():
            out[key] = out.get(key, Decimal(0)) + self.convert(amount, code, target, day)
        return {k: kop(v) for k, v in out.items()}

    def visible(self, who: str, manager_id: int | None, company_id: int) -> bool:
        """``services.visibility`` for a deal, restated: own or department managers."""
        if who in ("system", "admin"):
            return True
        ids = (
            {self.team.id(m) for m in ("anna", "boris", "head")}
            if who == "head"
            else {self.team.id(who)}
        )
        return manager_id in ids or self.companies[company_id] in ids


def _day(rng: random.Random, first: date = FIRST, last: date = LAST) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _money(rng: random.Random, high: int = 500_000) -> Decimal:
    return Decimal(rng.randrange(100, high * 100)) / 100


def build_world(db: Database, seed: int = 7, deals: int = 70) -> World:
    rng = random.Random(seed)
    team = make_team(db)
    with db.reader() as s:
        pipeline_id = s.scalar(select(Pipeline.id).where(Pipeline.is_default.is_(True)))
        stages = [
            {"id": r.id, "name": r.name, "probability": r.probability}
            for r in s.execute(
                select(Stage.id, Stage.name, Stage.probability)
                .where(Stage.pipeline_id == pipeline_id, Stage.is_active.is_(True))
                .order_by(Stage.sort_no)
            )
        ]
        event_types = {r.id: r.name for r in s.execute(select(EventType.id, EventType.name))}
    world = World(team, pipeline_id, stages, event_types=event_types)
    with db.transaction() as s:
        for code, base in (("USD", "70"), ("EUR", "80")):
            world.rates[code] = {}
            day = FIRST - timedelta(days=10)
            while day <= LAST + timedelta(days=40):
                rate = Decimal(base) + Decimal(rng.randrange(0, 300000)) / 10000
                world.rates[code][day] = rate
                s.add(CurrencyRate(currency_code=code, rate_date=day, rate=rate, nominal=1))
                day += timedelta(days=rng.choice((1, 3, 7, 11)))
    people = [None, *(team.id(m) for m in MANAGERS), team.id("head")]
    for n in range(14):
        manager = rng.choice(people)
        company_id = company(db, f"Клиент {n}", manager)
        world.companies[company_id] = manager
        if rng.random() < 0.6:
            limit = _money(rng, 300_000)
            world.limits[company_id] = limit
            with db.transaction() as s:
                s.add(ClientTerms(company_id=company_id, title="Условия", credit_limit=limit))
    ids: list[int] = []
    for n in range(deals):
        ids.append(_deal(db, world, rng, n))
    with db.transaction() as s:
        recount_deal_money(s, ids)
    _events(db, world, rng)
    return world


def module_world(db: Database, seed: int = 7, deals: int = 70) -> World:
    """``build_world`` on TODAY in ``db`` wiped first: the one world of a module whose
    tests only read it (a world costs seconds on Firebird); the module's tests that
    write come after them, on the ``db`` fixture (which wipes it)."""
    wipe(db)
    with clock.freeze(at_local(TODAY)):
        return build_world(db, seed=seed, deals=deals)


def _deal(db: Database, world: World, rng: random.Random, n: int) -> int:
    company_id = rng.choice(list(world.companies))
    manager = (
        world.companies[company_id]
        if rng.random() < 0.7
        else rng.choice([world.team.id(m) for m in MANAGERS])
    )
    status = rng.choice((DealStatus.OPEN, DealStatus.OPEN, DealStatus.WON, DealStatus.LOST))
    stages = world.stages
    started = _day(rng, FIRST, TODAY if status == DealStatus.OPEN else TODAY - timedelta(days=5))
    reached = len(stages) - 1 if status == DealStatus.WON else rng.randrange(len(stages))
    currency = rng.choice(("RUB", "RUB", "RUB", "USD", "EUR"))
    amount = _money(rng, 50_000 if currency != "RUB" else 900_000)
    closed = None
    if status != DealStatus.OPEN:
        closed = min(started + timedelta(days=rng.randrange(0, 200)), TODAY)
    planned_end = started + timedelta(days=rng.randrange(5, 300))
    row: dict[str, Any] = {
        "company_id": company_id,
        "manager_id": manager,
        "status": status,
        "stage_id": stages[reached]["id"],
        "started_on": started,
        "closed_on": closed,
        "planned_end_on": planned_end,
        "currency": currency,
        "amount": amount,
    }
    with db.transaction() as s:
        deal = Deal(
            title=f"Сделка {n}",
            title_fold=fold(f"Сделка {n}"),
            company_id=company_id,
            manager_id=manager,
            pipeline_id=world.pipeline_id,
            stage_id=row["stage_id"],
            started_on=started,
            planned_end_on=planned_end,
            closed_on=closed,
            currency_code=currency,
            status=status,
            amount=amount,
        )
        s.add(deal)
        s.flush()
        row["id"] = deal.id
        day = started
        for index in range(reached + 1):
            length = rng.randrange(0, 40)
            current = index == reached and status == DealStatus.OPEN
            done = (
                None
                if current or (index == reached and status == DealStatus.LOST)
                # a stage is done by the day the deal closed, or today at the latest
                else min(day + timedelta(days=length), closed or TODAY)
            )
            due = day + timedelta(days=rng.randrange(1, 30))
            s.add(
                DealStage(
                    deal_id=deal.id,
                    stage_id=stages[index]["id"],
                    started_on=day,
                    due_on=due,
                    done_on=done,
                    deal_open=status == DealStatus.OPEN,
                )
            )
            world.stage_rows.append(
                {
                    "deal_id": deal.id,
                    "stage_id": stages[index]["id"],
                    "started_on": day,
                    "done_on": done,
                    "due_on": due,
                }
            )
            day = done or day
        for _k in range(rng.randrange(0, 3)):
            kind = rng.choice((DocKind.INVOICE, DocKind.SHIPMENT))
            code = currency if rng.random() < 0.8 else "RUB"
            doc = {
                "deal_id": deal.id,
                "kind": kind,
                "day": _day(rng, started, TODAY),
                "amount": _money(rng, 40_000),
                "currency": code,
                "state": rng.choice((DocState.POSTED, DocState.POSTED, DocState.DELETED)),
            }
            s.add(
                DealDocument(
                    deal_id=deal.id,
                    company_id=company_id,
                    doc_kind=kind,
                    doc_no=f"{n}-{_k}",
                    doc_date=doc["day"],
                    amount=doc["amount"],
                    currency_code=code,
                    state=doc["state"],
                )
            )
            world.documents.append(doc)
        for _k in range(rng.randrange(0, 3)):
            kind = rng.choice((PaymentKind.ACTUAL, PaymentKind.PLANNED))
            day = (
                _day(rng, started, TODAY)
                if kind == PaymentKind.ACTUAL
                else _day(rng, TODAY - timedelta(days=20), LAST)
            )
            pay = {
                "deal_id": deal.id,
                "company_id": company_id,
                "kind": kind,
                "day": day,
                "amount": _money(rng, 20_000),
                "currency": rng.choice((currency, "RUB")),
            }
            s.add(
                Payment(
                    deal_id=deal.id,
                    company_id=company_id,
                    pay_kind=kind,
                    pay_date=day,
                    amount=pay["amount"],
                    currency_code=pay["currency"],
                )
            )
            world.payments.append(pay)
    world.deals.append(row)
    return row["id"]


def _events(db: Database, world: World, rng: random.Random) -> None:
    people = [world.team.id(m) for m in (*MANAGERS, "head")]
    with db.transaction() as s:
        for n in range(120):
            company_id = rng.choice(list(world.companies))
            who = rng.choice(people)
            at = datetime.combine(_day(rng), datetime.min.time()) + timedelta(
                hours=6 + rng.randrange(12)
            )
            status = rng.choice((EventStatus.DONE, EventStatus.DONE, EventStatus.PLANNED))
            type_id = rng.choice(list(world.event_types))
            s.add(
                Event(
                    type_id=type_id,
                    status=status,
                    company_id=company_id,
                    responsible_id=who,
                    subject=f"Событие {n}",
                    event_at=at,
                )
            )
            world.events.append(
                {
                    "type_id": type_id,
                    "status": status,
                    "company_id": company_id,
                    "responsible_id": who,
                    "at": at,
                }
            )
