"""The summary columns of a deal (D6): ``deals.invoiced``, ``shipped`` and ``paid`` in the
deal currency, and ``rate_missing`` when a conversion lacks a rate; with them ``debt``
(``max(invoiced, shipped) − paid``) and ``billed_on`` (the day of the first counted
invoice or shipment), which the receivables report reads.

Screens show debts on every open (the client list, the client card, the deal card), so
they read these columns instead of aggregating documents and payments each time
(ARCHITECTURE rule 12). Every write that changes what they are computed from calls
``recount_deal_money`` in its own transaction: a payment or a 1C document added,
changed or deleted, a planned payment received, a deal's currency changed; a currency
rate set recounts the deals whose conversions it changes (``deals_using_rate``).

The recount is from the rows, never incremental arithmetic: the same function as the
debt service's own (``debt.money_rows``), so a summary is always what a recomputation
gives. It writes with a plain UPDATE that neither bumps the deal's version (a deal
card open elsewhere stays saveable) nor its ``updated_at``; a concurrent recount of the
same deal meets the row lock and fails as a write conflict, so no update is lost.

These helpers take an open session and check no rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, union
from sqlalchemy.orm import Session

from qstui.db.bulk import update_rows
from qstui.db.models import Deal, DealDocument, Payment
from qstui.domain.enums import DocKind, DocState, PaymentKind
from qstui.services.deals.debt import money_rows
from qstui.services.refbooks.currency import MissingRate

ZERO = Decimal("0.00")
SUMMARY = ("invoiced", "shipped", "paid", "rate_missing", "debt", "billed_on")
# the columns of migration 0006, which recounts with this module before 0018 adds the others
MONEY_ONLY = SUMMARY[:4]


def recount_deal_money(
    session: Session, deal_ids: Iterable[int | None], columns: tuple[str, ...] = SUMMARY
) -> None:
    """Recompute the summary columns of these deals from their documents and payments
    (ids of deals that no longer exist, and None, are ignored); ``columns``: which of
    them (all but for an old migration)."""
    ids = sorted({deal_id for deal_id in deal_ids if deal_id is not None})
    if not ids:
        return
    session.flush()
    rows = money_rows(session, ids)
    values: list[dict[str, Any]] = []
    for deal_id in rows.currency:
        billed = min((row.doc_date for row in rows.documents[deal_id]), default=None)
        try:
            info = rows.debt(deal_id)
        except MissingRate:
            sums = (ZERO, ZERO, ZERO, True, ZERO, billed)
        else:
            sums = (info.invoiced, info.shipped, info.paid, False, info.debt, billed)
        found = dict(zip(SUMMARY, sums, strict=True))
        values.append({"id": deal_id, **{name: found[name] for name in columns}})
    if not values:
        return
    update_rows(session.connection(), Deal.__table__, values)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Deal) and obj.id in rows.currency:
            session.expire(obj, list(columns))


def deals_using_rate(session: Session, code: str, since: date) -> list[int]:
    """Deals whose summary a rate of ``code`` on ``since`` can change: a counted document
    or an actual payment dated on or after it and converted from or into ``code``."""
    documents = and_(
        DealDocument.doc_date >= since,
        DealDocument.doc_kind.in_([DocKind.INVOICE, DocKind.SHIPMENT]),
        DealDocument.state != DocState.DELETED,
    )
    payments = and_(Payment.pay_date >= since, Payment.pay_kind == PaymentKind.ACTUAL)
    queries = []
    for model, when in ((DealDocument, documents), (Payment, payments)):
        joined = select(Deal.id).join(model, model.deal_id == Deal.id).where(when)
        # two queries, not an OR: each can start from an index on the currency
        queries.append(joined.where(model.currency_code == code, Deal.currency_code != code))
        queries.append(joined.where(Deal.currency_code == code, model.currency_code != code))
    return sorted(set(session.scalars(union(*queries))))
