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

The three sums are kept on the deal itself (``deals.invoiced``, ``shipped``, ``paid``,
by ``sums.recount_deal_money`` in every write that changes them), so the readers here
read one row per deal; ``debts_from_rows`` is the recomputation they are kept from. A
deal whose conversion lacks a rate (``rate_missing``) is recomputed when read, which
raises ``MissingRate`` naming the rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
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


@dataclass
class MoneyRows:
    """What D6 of some deals is computed from: their currencies, their counted documents
    and actual payments, and the rates converting them."""

    currency: dict[int, str]
    documents: dict[int, list[Any]]
    payments: dict[int, list[Any]]
    rates: RateBook

    def debt(self, deal_id: int) -> DebtInfo:
        """D6 of one of the deals; ``MissingRate`` when a conversion lacks a rate."""
        return debt_from(
            self.currency[deal_id], self.documents[deal_id], self.payments[deal_id], self.rates
        )


def money_rows(session: Session, deal_ids: Iterable[int]) -> MoneyRows:
    """The rows D6 of these deals (those that exist) is computed from, in a few
    set-based queries per 1500 deals."""
    currency: dict[int, str] = {}
    documents: dict[int, list[Any]] = {}
    payments: dict[int, list[Any]] = {}
    for chunk in chunks(sorted(set(deal_ids))):
        for deal_id, code in session.execute(
            select(Deal.id, Deal.currency_code).where(id_in(Deal.id, chunk))
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
                id_in(DealDocument.deal_id, chunk),
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
            ).where(id_in(Payment.deal_id, chunk), Payment.pay_kind == PaymentKind.ACTUAL)
        ):
            payments[row.deal_id].append(row)
    needs: list[tuple[str, date]] = []
    for deal_id, code in currency.items():
        needs += rate_needs(code, documents[deal_id], payments[deal_id])
    return MoneyRows(currency, documents, payments, RateBook.load(session, needs))


def debts_from_rows(session: Session, deal_ids: Sequence[int]) -> dict[int, DebtInfo]:
    """D6 recomputed from the documents and payments (what the summary columns hold;
    ``sums.recount_deal_money`` writes them from this). Raises ``MissingRate`` when a
    conversion lacks a rate."""
    rows = money_rows(session, deal_ids)
    return {deal_id: rows.debt(deal_id) for deal_id in rows.currency}


def summary_debt(currency: str, invoiced: Decimal, shipped: Decimal, paid: Decimal) -> DebtInfo:
    """D6 of a deal from its summary columns."""
    invoiced, shipped, paid = kopecks(invoiced), kopecks(shipped), kopecks(paid)
    return DebtInfo(
        currency_code=currency,
        invoiced=invoiced,
        shipped=shipped,
        paid=paid,
        debt=debt_amount(invoiced, shipped, paid),
    )


def deal_debts(session: Session, deal_ids: Sequence[int]) -> dict[int, DebtInfo]:
    """D6 for many deals from their summary columns, one query per 1500 deals (no
    visibility check: callers pass ids they may see). A deal whose conversion lacks a
    rate is recomputed from its rows, which raises ``MissingRate`` naming the rate."""
    return {deal_id: info for deal_id, (_, info) in _summaries(session, Deal.id, deal_ids).items()}


def company_deal_debts(
    session: Session, company_ids: Sequence[int]
) -> dict[int, tuple[int, DebtInfo]]:
    """D6 of every deal of these companies, as ``deal id → (company id, debt)``, from
    the summary columns like ``deal_debts``."""
    return _summaries(session, Deal.company_id, company_ids)


def _summaries(session: Session, key: Any, ids: Sequence[int]) -> dict[int, tuple[int, DebtInfo]]:
    found: dict[int, tuple[int, DebtInfo]] = {}
    unknown: dict[int, int] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in session.execute(
            select(
                Deal.id,
                Deal.company_id,
                Deal.currency_code,
                Deal.invoiced,
                Deal.shipped,
                Deal.paid,
                Deal.rate_missing,
            ).where(id_in(key, chunk))
        ):
            if row.rate_missing:
                unknown[row.id] = row.company_id
            else:
                info = summary_debt(row.currency_code, row.invoiced, row.shipped, row.paid)
                found[row.id] = (row.company_id, info)
    if unknown:
        for deal_id, info in debts_from_rows(session, list(unknown)).items():
            found[deal_id] = (unknown[deal_id], info)
    return found


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
