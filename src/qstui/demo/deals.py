"""Deals in both pipelines: stages as each deal lived them, products, and the contract
of a won deal. Documents and payments are in ``demo.payments``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from qstui.demo import payments
from qstui.demo.clients import CompanyInfo
from qstui.demo.refs import PipelineRef
from qstui.demo.rows import Batch, Weighted, day_between, folded, local, money, pick, stamp
from qstui.demo.world import World
from qstui.domain.deals import debt_amount
from qstui.domain.enums import ClientKind, DealStatus

STATUSES = (DealStatus.OPEN, DealStatus.WON, DealStatus.LOST)
STATUS_WEIGHTS = (60, 25, 15)
KIND_WEIGHT = {
    ClientKind.CLIENT: 3.0,
    ClientKind.PARTNER: 2.0,
    ClientKind.PROSPECT: 1.0,
    ClientKind.SUPPLIER: 0.3,
}
_STATUS = Weighted(STATUSES, STATUS_WEIGHTS)
_ITEM_COUNT = Weighted((1, 2, 3, 4, 5), (35, 25, 20, 12, 8))
DISCOUNTS = tuple(Decimal(d) for d in ("0", "0", "0", "0", "2", "2.5", "3", "5", "5", "7", "10"))
REASONS = (
    "Входящая заявка с сайта",
    "Повторная закупка",
    "Расширение штата",
    "Открытие филиала",
    "Устаревшее оборудование",
    "Переход на отечественное ПО",
    "Рекомендация партнера",
)
LOST_NOTES = (
    "Клиент выбрал более дешевое предложение",
    "Бюджет перенесли на следующий год",
    "Не устроили сроки поставки",
    "Проект заморожен руководством",
    "Перестали выходить на связь",
)


@dataclass
class StageLife:
    """One stage of one deal: when it started, its deadline, when it was done."""

    index: int
    started: date
    due: date
    done: date | None


@dataclass
class DealInfo:
    id: int
    company: CompanyInfo
    contact_id: int | None
    manager_id: int
    status: DealStatus
    started: date
    last_day: date  # the day it closed, or today while it is open
    activity_id: int | None = None
    stages: list[StageLife] = field(default_factory=list)
    currency: str = "RUB"
    # its summary columns (D6), summed as its documents and payments are made: they are
    # all in the deal currency, so no conversion is involved
    invoiced: Decimal = Decimal(0)
    shipped: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    billed_on: date | None = None  # its first invoice or shipment


def make_deals(
    rng: random.Random, world: World, batch: Batch, infos: list[CompanyInfo], count: int
) -> dict[int, list[DealInfo]]:
    """``count`` deals spread over the chunk's companies; returns them per company id."""
    by_company: dict[int, list[DealInfo]] = {}
    if not infos:
        return by_company
    weights = [KIND_WEIGHT[i.kind] * (1 + i.rating / 2) for i in infos]
    for company in rng.choices(infos, weights, k=count):
        deal = _deal(rng, world, batch, company)
        by_company.setdefault(company.id, []).append(deal)
    return by_company


def _pipeline(rng: random.Random, world: World) -> PipelineRef:
    pipelines = world.refs.pipelines
    if len(pipelines) == 1:
        return pipelines[0]
    default = next((p for p in pipelines if p.is_default), pipelines[0])
    others = [p for p in pipelines if p is not default]
    return default if rng.random() < 0.85 else rng.choice(others)


def _open_cycle(n: int) -> list[int]:
    """Open deals by stage, repeated: more at the early stages, every stage present."""
    return [i for i in range(n) for _ in range(max(1, (n - i + 1) // 2))]


def _timeline(
    rng: random.Random, world: World, pipeline: PipelineRef, company: CompanyInfo, status: str
) -> tuple[str, list[StageLife], date | None]:
    """The stages a deal went through; may turn a deal the company is too young for
    into an open one."""
    today, stages = world.today, pipeline.stages
    n = len(stages)
    spans = [max(1, round(s.days * rng.uniform(0.5, 1.6))) for s in stages]
    oldest = max(company.created, today - timedelta(days=365))
    if status in (DealStatus.WON, DealStatus.LOST):
        reached = (
            n if status == DealStatus.WON else 1 + pick(rng, range(n - 1), range(n - 1, 0, -1))
        )
        length = sum(spans[:reached]) if status == DealStatus.WON else sum(spans[: reached - 1])
        if status == DealStatus.LOST:
            length += rng.randint(1, spans[reached - 1])
        latest = today - timedelta(days=length + 1)
        if latest >= oldest:
            day = day_between(rng, oldest, latest)
            lives = []
            for i in range(reached):
                done = day + timedelta(days=spans[i])
                passed = status == DealStatus.WON or i < reached - 1
                lives.append(
                    StageLife(
                        i, day, day + timedelta(days=stages[i].days), done if passed else None
                    )
                )
                day = done
            if status == DealStatus.WON:
                return status, lives, lives[-1].done
            return (
                status,
                lives,
                lives[-1].started + timedelta(days=length - sum(spans[: reached - 1])),
            )
    cycle = _open_cycle(n)
    position = world.open_stage.get(pipeline.id, 0)
    current = cycle[position % len(cycle)]
    start = today - timedelta(days=rng.randint(0, max(1, stages[current].days * 3 // 2)))
    first = start - timedelta(days=sum(spans[:current]))
    if first < company.created:  # too young a client: a fresh deal at the first stage
        current, start = 0, day_between(rng, company.created, today)
        first = start
    else:
        world.open_stage[pipeline.id] = position + 1
    lives, day = [], first
    for i in range(current + 1):
        done = day + timedelta(days=spans[i]) if i < current else None
        lives.append(StageLife(i, day, day + timedelta(days=stages[i].days), done))
        day = done or day
    return DealStatus.OPEN, lives, None


def _items(
    rng: random.Random, world: World, batch: Batch, deal_id: int, currency: str, day: date
) -> tuple[Decimal, list]:
    assert world.rates is not None
    products = world.products
    count = _ITEM_COUNT.pick(rng)
    chosen = rng.sample(products, count)
    if currency != "RUB":
        foreign = [p for p in products if p.currency == currency]
        if foreign and chosen[0].currency != currency:
            chosen[0] = rng.choice(foreign)
            chosen = list(dict.fromkeys(chosen))
    total = Decimal(0)
    for line_no, product in enumerate(chosen, start=1):
        if product.is_service:
            qty = rng.choice((1, 1, 1, 2, 3, 5, 10))
        elif product.unit_okei == "006":
            qty = rng.choice((50, 100, 200, 305))
        else:
            qty = rng.choice((1, 1, 2, 2, 3, 5, 5, 10, 10, 15, 20, 25, 50))
        price = money(world.rates.convert(product.price, product.currency, currency, day))
        discount = rng.choice(DISCOUNTS)
        amount = money(Decimal(qty) * price * (100 - discount) / 100)
        total += amount
        batch.add(
            "deal_items",
            {
                "id": world.ids.take("deal_items"),
                "deal_id": deal_id,
                "product_id": product.id,
                "line_no": line_no,
                "qty": Decimal(qty),
                "price": price,
                "discount_pct": discount,
                "amount": amount,
                "vat_pct": product.vat,
                **stamp(min(local(day, 10), world.now), None),
            },
        )
    return total, chosen


def _title(rng: random.Random, world: World, company: CompanyInfo, product_short: str) -> str:
    template = rng.choice(world.pools.deal_titles)
    return template.replace("{city}", company.city.name).replace("{product}", product_short)


def _currency(rng: random.Random, world: World) -> str:
    roll = rng.random()
    if roll < 0.03 and "USD" in world.refs.currencies:
        return "USD"
    if roll < 0.04 and "EUR" in world.refs.currencies:
        return "EUR"
    return "RUB"


def _deal(rng: random.Random, world: World, batch: Batch, company: CompanyInfo) -> DealInfo:
    pipeline = _pipeline(rng, world)
    status, lives, closed = _timeline(rng, world, pipeline, company, _STATUS.pick(rng))
    started = lives[0].started
    deal_id = world.ids.take("deals")
    currency = _currency(rng, world)
    amount, products = _items(rng, world, batch, deal_id, currency, started)
    manager = company.manager_id
    contact = rng.choice(company.contacts) if company.contacts and rng.random() < 0.8 else None
    groups = world.groups
    assert groups is not None
    activity = (
        groups.activity_id
        if company.in_expo and started >= groups.activity_on and rng.random() < 0.6
        else None
    )
    info = DealInfo(deal_id, company, contact, manager, status, started, closed or world.today)
    info.activity_id, info.stages, info.currency = activity, lives, currency
    others = [u for u in world.staff.sellers if u != manager]
    for life in lives:
        batch.add(
            "deal_stages",
            {
                "id": world.ids.take("deal_stages"),
                "deal_id": deal_id,
                "stage_id": pipeline.stages[life.index].id,
                "responsible_id": manager if rng.random() < 0.85 else rng.choice(others),
                "started_on": life.started,
                "due_on": life.due,
                "done_on": life.done,
                "note": None,
                "deal_open": status == DealStatus.OPEN,
                **stamp(min(local(life.started, 10), world.now), manager),
            },
        )
    contract_id = payments.make_money(rng, world, batch, info, pipeline, amount, currency)
    title = _title(rng, world, company, products[0].short)
    changed = closed or lives[-1].started
    current = pipeline.stages[lives[-1].index]
    created = min(local(started, rng.randint(9, 17), rng.choice((0, 15, 30, 45))), world.now)
    batch.add(
        "deals",
        {
            "id": deal_id,
            "title": title,
            "title_fold": folded(title),
            "company_id": company.id,
            "contact_id": contact,
            "manager_id": manager,
            "pipeline_id": pipeline.id,
            "stage_id": current.id,
            "source_id": company.row["source_id"],
            "reason": rng.choice(REASONS) if rng.random() < 0.5 else None,
            "started_on": started,
            "planned_end_on": started + timedelta(days=sum(s.days for s in pipeline.stages)),
            "closed_on": closed,
            "currency_code": currency,
            "status": status,
            "amount": amount,
            "lost_reason_id": rng.choice(world.refs.refusal_reasons)
            if status == DealStatus.LOST and world.refs.refusal_reasons
            else None,
            "lost_stage_id": current.id if status == DealStatus.LOST else None,
            "lost_note": rng.choice(LOST_NOTES) if status == DealStatus.LOST else None,
            "contract_id": contract_id,
            "activity_id": activity,
            "notes": None,
            "invoiced": info.invoiced,
            "shipped": info.shipped,
            "paid": info.paid,
            "rate_missing": False,
            "debt": debt_amount(info.invoiced, info.shipped, info.paid),
            "billed_on": info.billed_on,
            "version": 1,
            "created_at": created,
            "updated_at": max(created, min(local(changed, 18), world.now)),
            "updated_by": manager,
        },
    )
    return info
