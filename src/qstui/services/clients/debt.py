"""Debts and conversions for lists of clients.

The definition of a debt (D6) lives in ``services.deals.debt`` alone: a deal's debt is
``max(invoiced, shipped) − paid`` in the deal currency, payments converted at the rate
of their date. Here a client's debt is the sum of its deals' debts converted into the
base currency at the rate of the day (today by default).

These helpers take an open session and do no rights checks: the caller has checked
that the companies / deals are visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from qstui.domain.clock import today
from qstui.services.deals import debt
from qstui.services.refbooks.currency import MissingRate, RateBook

ZERO = Decimal("0")
CENT = Decimal("0.01")


class Converter:
    """Converts amounts into the base currency at the latest rates on or before a day;
    a currency without a rate raises ``MissingRate`` (never a silent 1:1)."""

    def __init__(self, rates: RateBook, on: date) -> None:
        self.rates = rates
        self.on = on
        self.base = rates.base

    @classmethod
    def load(cls, session: Session, codes: Iterable[str], on: date | None = None) -> Converter:
        day = on or today()
        return cls(RateBook.load(session, [(code, day) for code in set(codes)]), day)

    def convert(self, amount: Decimal, source: str, target: str | None = None) -> Decimal:
        return self.rates.convert(Decimal(amount), source, target or self.base, self.on)


def deal_debts(
    session: Session, deal_ids: Sequence[int], *, in_base: bool = False, on: date | None = None
) -> dict[int, Decimal]:
    """Debt of each deal, in the deal's currency (or the base currency at ``on``)."""
    infos = debt.deal_debts(session, deal_ids)
    if not in_base:
        return {deal_id: info.debt for deal_id, info in infos.items()}
    conv = Converter.load(session, {i.currency_code for i in infos.values()}, on)
    return {
        deal_id: conv.convert(info.debt, info.currency_code).quantize(CENT)
        for deal_id, info in infos.items()
    }


def client_debts(
    session: Session, company_ids: Sequence[int], on: date | None = None
) -> dict[int, Decimal | None]:
    """Debt of each company over all its deals, in the base currency (0 without deals;
    None when a currency rate it needs is missing — the list shows it as unknown)."""
    try:
        return dict(company_debts(session, company_ids, on)[1])
    except MissingRate:
        out: dict[int, Decimal | None] = {}
        for company_id in company_ids:
            try:
                out[company_id] = company_debts(session, [company_id], on)[1][company_id]
            except MissingRate:
                out[company_id] = None
        return out


def company_debts(
    session: Session, company_ids: Sequence[int], on: date | None = None
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Both at once: the debt of every deal of the companies (deal currency) and of
    every company (base currency), from the deals' summary columns. Raises
    ``MissingRate`` when a rate is missing."""
    infos = debt.company_deal_debts(session, company_ids)
    conv = Converter.load(session, {info.currency_code for _, info in infos.values()}, on)
    total: dict[int, Decimal] = {company_id: ZERO for company_id in company_ids}
    for company, info in infos.values():
        total[company] = total.get(company, ZERO) + conv.convert(info.debt, info.currency_code)
    per_deal = {deal_id: info.debt for deal_id, (_, info) in infos.items()}
    return per_deal, {k: Decimal(v).quantize(CENT) for k, v in total.items()}
