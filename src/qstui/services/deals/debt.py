"""Debt (D6), per deal and per client.

The debt of a deal, in the deal currency::

    debt = max(invoiced, shipped) − paid

- invoiced: the sum of the deal's 1C documents of kind ``invoice``,
- shipped: the sum of its documents of kind ``shipment`` (documents in state
  ``deleted`` never count; a document in another currency is converted at the rate of
  its date),
- paid: the sum of the deal's *actual* payments, each converted into the deal currency
  at the rate of its payment date (``services.currency``), to kopecks.

A positive debt is a receivable (shown in red); a negative one is an advance. The debt
of a client is the sum of its deals' debts per currency, and a total in the base
currency (RUB) at today's rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks
from qstui.db.models import Company, Deal, DealDocument, Payment
from qstui.domain.clock import today
from qstui.domain.deals import ClientDebt, DebtInfo, debt_amount, kopecks
from qstui.domain.enums import DocKind, DocState, PaymentKind
from qstui.domain.errors import AccessDenied, NotFound
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.refbooks.currency import RateBook
from qstui.services.visibility import company_visible, deal_visible

ZERO = Decimal("0.00")


class DocumentLike(Protocol):
    kind: DocKind
    state: DocState
    amount: Decimal
    currency_code: str
    doc_date: date


class PaymentLike(Protocol):
    kind: PaymentKind
    amount: Decimal
    currency_code: str
    pay_date: date


def counted_documents(documents: Iterable[Any]) -> list[Any]:
    return [
        d
        for d in documents
        if d.kind in (DocKind.INVOICE, DocKind.SHIPMENT) and d.state != DocState.DELETED
    ]


def actual_payments(payments: Iterable[Any]) -> list[Any]:
    return [p for p in payments if p.kind == PaymentKind.ACTUAL]


def rate_needs(
    currency: str, documents: Iterable[DocumentLike], payments: Iterable[PaymentLike]
) -> list[tuple[str, date]]:
    """The (currency, day) pairs converting these documents and payments needs."""
    needs: list[tuple[str, date]] = []
    for d in counted_documents(documents):
        if d.currency_code != currency:
            needs += [(d.currency_code, d.doc_date), (currency, d.doc_date)]
    for p in actual_payments(payments):
        if p.currency_code != currency:
            needs += [(p.currency_code, p.pay_date), (currency, p.pay_date)]
    return needs


def debt_from(
    currency: str,
    documents: Iterable[DocumentLike],
    payments: Iterable[PaymentLike],
    rates: RateBook,
) -> DebtInfo:
    """D6 for one deal from its documents and payments (any order, any kinds)."""
    invoiced = shipped = paid = ZERO
    for d in counted_documents(documents):
        value = rates.convert(d.amount, d.currency_code, currency, d.doc_date)
        if d.kind == DocKind.INVOICE:
            invoiced += value
        else:
            shipped += value
    for p in actual_payments(payments):
        paid += rates.convert(p.amount, p.currency_code, currency, p.pay_date)
    return DebtInfo(
        currency_code=currency,
        invoiced=kopecks(invoiced),
        shipped=kopecks(shipped),
        paid=kopecks(paid),
        debt=debt_amount(invoiced, shipped, paid),
    )


def deal_debts(session: Session, deal_ids: Sequence[int]) -> dict[int, DebtInfo]:
    """D6 for many deals in a few set-based queries (no visibility check: callers
    pass ids they may see). Raises ``MissingRate`` when a conversion lacks a rate."""
    currency: dict[int, str] = {}
    documents: dict[int, list[Any]] = {}
    payments: dict[int, list[Any]] = {}
    for chunk in chunks(sorted(set(deal_ids))):
        for deal_id, code in session.execute(
            select(Deal.id, Deal.currency_code).where(Deal.id.in_(chunk))
        ):
            currency[deal_id] = code
            documents[deal_id] = []
            payments[deal_id] = []
        for row in session.execute(
            select(
                DealDocument.deal_id,
                DealDocument.doc_kind.label("kind"),
                DealDocument.state,
                DealDocument.amount,
                DealDocument.currency_code,
                DealDocument.doc_date,
            ).where(
                DealDocument.deal_id.in_(chunk),
                DealDocument.doc_kind.in_([DocKind.INVOICE, DocKind.SHIPMENT]),
                DealDocument.state != DocState.DELETED,
            )
        ):
            documents[row.deal_id].append(row)
        for row in session.execute(
            select(
                Payment.deal_id,
                Payment.pay_kind.label("kind"),
                Payment.amount,
                Payment.currency_code,
                Payment.pay_date,
            ).where(Payment.deal_id.in_(chunk), Payment.pay_kind == PaymentKind.ACTUAL)
        ):
            payments[row.deal_id].append(row)
    needs: list[tuple[str, date]] = []
    for deal_id, code in currency.items():
        needs += rate_needs(code, documents[deal_id], payments[deal_id])
    rates = RateBook.load(session, needs)
    return {
        deal_id: debt_from(code, documents[deal_id], payments[deal_id], rates)
        for deal_id, code in currency.items()
    }


def deal_debt(ctx: Context, deal_id: int) -> DebtInfo:
    """D6 for one visible deal."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        if s.scalar(select(Deal.id).where(Deal.id == deal_id, deal_visible(ctx))) is None:
            raise NotFound(_("Deal"), deal_id)
        return deal_debts(s, [deal_id])[deal_id]


def client_debt(ctx: Context, company_id: int, on: date | None = None) -> ClientDebt:
    """D6 for a visible client: per currency and in total (base currency at the rates
    of ``on``, default today)."""
    if not (ctx.has(R.DEALS) or ctx.has(R.CLIENTS)):
        raise AccessDenied(R.DEALS)
    on = on or today()
    with ctx.db.reader() as s:
        if (
            s.scalar(select(Company.id).where(Company.id == company_id, company_visible(ctx)))
            is None
        ):
            raise NotFound(_("Client"), company_id)
        ids = list(
            s.scalars(select(Deal.id).where(Deal.company_id == company_id, deal_visible(ctx)))
        )
        debts = deal_debts(s, ids)
        by_currency: dict[str, Decimal] = {}
        for info in debts.values():
            by_currency[info.currency_code] = by_currency.get(info.currency_code, ZERO) + info.debt
        rates = RateBook.load(s, [(code, on) for code in by_currency])
        total = sum(
            (rates.convert(amount, code, rates.base, on) for code, amount in by_currency.items()),
            ZERO,
        )
        return ClientDebt(
            company_id=company_id,
            by_currency=dict(sorted(by_currency.items())),
            total=kopecks(total),
            base_currency=rates.base,
            deals=debts,
        )
