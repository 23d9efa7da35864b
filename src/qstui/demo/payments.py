"""The money side of a deal: contract, invoice and shipment documents, planned and
actual payments — consistent with the stages the deal reached."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from qstui.demo.refs import PipelineRef
from qstui.demo.rows import Batch, Weighted, day_between, local, money, stamp
from qstui.demo.world import World
from qstui.domain.enums import (
    ContractStatus,
    DealStatus,
    DocKind,
    DocState,
    PaymentKind,
    PaymentSource,
)

if TYPE_CHECKING:
    from qstui.demo.deals import DealInfo

SOURCES = (PaymentSource.MANUAL, PaymentSource.ONEC, PaymentSource.BANK)
SOURCE_WEIGHTS = (40, 35, 25)
_SOURCE = Weighted(SOURCES, SOURCE_WEIGHTS)
# Stage names by pipeline (the default ones), and the position used when renamed.
MILESTONES = {
    "proposal": (("Коммерческое предложение", "Подача заявки"), 2),
    "contract": (("Согласование договора", "Заключение контракта"), -4),
    "invoice": (("Выставлен счет", "Заключение контракта"), -3),
    "payment": (("Оплата", "Исполнение контракта"), -2),
    "shipment": (("Отгрузка", "Исполнение контракта"), -1),
}


@dataclass(frozen=True)
class Milestones:
    proposal: int
    contract: int
    invoice: int
    payment: int
    shipment: int


@cache
def milestones(pipeline: PipelineRef) -> Milestones:
    found = {}
    names = [s.name for s in pipeline.stages]
    for key, (candidates, fallback) in MILESTONES.items():
        index = next((names.index(n) for n in candidates if n in names), None)
        if index is None:
            index = len(names) + fallback if fallback < 0 else fallback
        found[key] = min(max(index, 0), len(names) - 1)
    return Milestones(**found)


def make_money(
    rng: random.Random,
    world: World,
    batch: Batch,
    deal: DealInfo,
    pipeline: PipelineRef,
    amount: Decimal,
    currency: str,
) -> int | None:
    """Documents and payments of ``deal``; returns the id of its contract (won deals)."""
    m = milestones(pipeline)
    current = deal.stages[-1].index
    won, is_open = deal.status == DealStatus.WON, deal.status == DealStatus.OPEN
    contract_id = _contract(rng, world, batch, deal, m, amount, currency) if won else None
    if amount <= 0:
        return contract_id
    invoice = None
    if won or (is_open and current >= m.invoice):
        invoice = _document(
            world,
            batch,
            deal,
            DocKind.INVOICE,
            "СЧ",
            amount,
            currency,
            deal.stages[m.invoice].started,
        )
    if won:
        shipped = deal.stages[m.shipment]
        _document(
            world,
            batch,
            deal,
            DocKind.SHIPMENT,
            "РН",
            amount,
            currency,
            shipped.done or shipped.started,
        )
    paid = Decimal(0)
    if invoice is not None and (won or current >= m.payment or rng.random() < 0.35):
        full = (won and rng.random() < 0.85) or (not won and rng.random() < 0.3)
        share = Decimal(1) if full else Decimal(rng.randint(30, 90)) / 100
        first = deal.stages[m.payment].started if won else invoice[1]
        paid = _actual(rng, world, batch, deal, invoice, money(amount * share), currency, first)
    if is_open and current > m.proposal and paid < amount:
        _planned(rng, world, batch, deal, amount - paid, currency)
    return contract_id


def _contract(
    rng: random.Random,
    world: World,
    batch: Batch,
    deal: DealInfo,
    m: Milestones,
    amount: Decimal,
    currency: str,
) -> int:
    stage = deal.stages[m.contract]
    signed = stage.done or stage.started
    valid_to = signed + timedelta(days=365)
    contract_id = world.ids.take("contracts")
    number = f"Д-{signed.year}/{world.next_no('contract'):05d}"
    kind = rng.choice(("Договор поставки", "Договор поставки", "Договор оказания услуг"))
    batch.add(
        "contracts",
        {
            "id": contract_id,
            "company_id": deal.company.id,
            "number": number,
            "title": f"{kind} № {number}",
            "signed_on": signed,
            "valid_to": valid_to,
            "currency_code": currency,
            "amount": amount,
            "status": ContractStatus.ACTIVE if valid_to >= world.today else ContractStatus.CLOSED,
            "notes": None,
            **stamp(min(local(signed, 12), world.now), deal.manager_id),
        },
    )
    return contract_id


def _document(
    world: World,
    batch: Batch,
    deal: DealInfo,
    kind: DocKind,
    prefix: str,
    amount: Decimal,
    currency: str,
    day: date,
) -> tuple[int, date, str]:
    doc_id = world.ids.take("deal_documents")
    number = f"{prefix}-{world.next_no(kind.value):06d}"
    _count(deal, currency)
    if kind == DocKind.INVOICE:
        deal.invoiced += amount
    elif kind == DocKind.SHIPMENT:
        deal.shipped += amount
    if kind in (DocKind.INVOICE, DocKind.SHIPMENT):
        deal.billed_on = day if deal.billed_on is None else min(deal.billed_on, day)
    batch.add(
        "deal_documents",
        {
            "id": doc_id,
            "deal_id": deal.id,
            "company_id": deal.company.id,
            "base_id": None,
            "doc_kind": kind,
            "doc_no": number,
            "doc_date": day,
            "amount": amount,
            "currency_code": currency,
            "state": DocState.POSTED,
            "note": None,
            "by_hand": False,  # the demo's documents stand for 1C's
            **stamp(min(local(day, 11), world.now), deal.manager_id),
        },
    )
    return doc_id, day, number


def _count(deal: DealInfo, currency: str) -> None:
    """The deal's summary columns are plain sums: every document and payment of a demo
    deal is in the deal's currency."""
    if currency != deal.currency:
        raise ValueError(f"deal {deal.id}: a {currency} row in a {deal.currency} deal")


def _payment(
    world: World,
    batch: Batch,
    deal: DealInfo,
    kind: PaymentKind,
    day: date,
    amount: Decimal,
    currency: str,
    **extra: object,
) -> None:
    _count(deal, currency)
    if kind == PaymentKind.ACTUAL:
        deal.paid += amount
    row = {
        "id": world.ids.take("payments"),
        "deal_id": deal.id,
        "company_id": deal.company.id,
        "pay_kind": kind,
        "pay_date": day,
        "amount": amount,
        "currency_code": currency,
        "source": PaymentSource.MANUAL,
        "document_id": None,
        "doc_no": None,
        "doc_date": None,
        "purpose": None,
        "import_key": None,
        **extra,
        **stamp(min(local(day, 13), world.now), deal.manager_id),
    }
    batch.add("payments", row)


def _actual(
    rng: random.Random,
    world: World,
    batch: Batch,
    deal: DealInfo,
    invoice: tuple[int, date, str],
    total: Decimal,
    currency: str,
    first: date,
) -> Decimal:
    """One or two incoming payments for ``invoice`` between ``first`` and the deal's end."""
    doc_id, doc_day, number = invoice
    last = min(deal.last_day, world.today - timedelta(days=1))
    parts = [total] if rng.random() < 0.7 else [money(total / 2), total - money(total / 2)]
    purpose = f"Оплата по счету № {number} от {doc_day:%d.%m.%Y}, в т.ч. НДС"
    day = first
    for part in parts:
        day = day_between(rng, max(day, first), max(last, first))
        _payment(
            world,
            batch,
            deal,
            PaymentKind.ACTUAL,
            day,
            part,
            currency,
            source=_SOURCE.pick(rng),
            document_id=doc_id,
            doc_no=str(rng.randint(1, 9999)),
            doc_date=day,
            purpose=purpose,
        )
    return total


def _planned(
    rng: random.Random, world: World, batch: Batch, deal: DealInfo, rest: Decimal, currency: str
) -> None:
    parts = [rest] if rng.random() < 0.6 else [money(rest / 2), rest - money(rest / 2)]
    day = world.today
    for part in parts:
        day = day + timedelta(days=rng.randint(3, 25))
        _payment(
            world,
            batch,
            deal,
            PaymentKind.PLANNED,
            day,
            part,
            currency,
            purpose="Плановый платеж по сделке",
        )
