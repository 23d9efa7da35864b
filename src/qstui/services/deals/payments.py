"""The payments of a deal (D4): planned and actual.

A payment is planned (a promise, with a date) or actual (money received); a planned
one becomes actual with ``record_actual``. Amounts are positive, at most 15 digits, in
a known currency (default: the deal's). Payments carry their own version. Every write
recounts the deal's summary columns (``sums``) in its transaction.

Rights: ``deals`` to read; ``edit`` to add or change; deleting an actual payment (money
received) also needs ``delete``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.models import Deal, Payment
from qstui.domain.clock import today, utcnow
from qstui.domain.deals import PaymentInfo
from qstui.domain.enums import PaymentKind, PaymentSource
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import (
    check_currency,
    deal_for_money,
    enum_value,
    load_deal,
    money_field_errors,
    payment_info,
    payments_of,
)
from qstui.services.deals.sums import recount_deal_money
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    created_audit_rows,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import deal_visible

PAYMENT_FIELDS = ("pay_date", "amount", "currency_code", "source", "doc_no", "doc_date", "purpose")


def list_payments(ctx: Context, deal_id: int) -> list[PaymentInfo]:
    """Planned payments first, then actual ones, each by date."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        load_deal(s, ctx, deal_id)
        return payments_of(s, deal_id)


def add_payment(
    ctx: Context,
    deal_id: int,
    kind: PaymentKind | str,
    pay_date: date,
    amount: Decimal | int | str,
    currency_code: str | None = None,
    source: PaymentSource | str = PaymentSource.MANUAL,
    doc_no: str | None = None,
    purpose: str | None = None,
    doc_date: date | None = None,
) -> int:
    """A planned or actual payment of a visible deal; returns its id."""
    ctx.require(R.DEALS, R.EDIT)
    values: dict[str, Any] = {
        "pay_date": pay_date,
        "amount": amount,
        "currency_code": currency_code,
        "source": source,
        "doc_no": doc_no,
        "purpose": purpose,
        "doc_date": doc_date,
    }
    errors = money_field_errors(values)
    pay_kind = enum_value(PaymentKind, kind, "kind", errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        deal = deal_for_money(s, ctx, deal_id, values)
        payment = insert_payment(s, ctx, deal, pay_kind, values)
        recount_deal_money(s, [deal.id])
        return payment.id


def payment_value_errors(values: dict[str, Any]) -> dict[str, str]:
    """Errors of the payment fields in ``values`` (normalized in place), for writers that
    check many payments before ``insert_payments``."""
    return money_field_errors(values)


def _columns(
    ctx: Context,
    deal_id: int,
    company_id: int,
    kind: PaymentKind,
    values: Mapping[str, Any],
    import_key: str | None,
) -> dict[str, Any]:
    """The columns of a new payment (both ways of writing one use this)."""
    return {
        "deal_id": deal_id,
        "company_id": company_id,
        "pay_kind": kind,
        "updated_by": ctx.user_id,
        "import_key": import_key,
        **values,
    }


def insert_payment(
    s: Session, ctx: Context, deal: Deal, kind: PaymentKind, values: dict[str, Any]
) -> Payment:
    """Write and audit a payment of ``deal`` (loaded visible) from ``values`` checked by
    ``money_field_errors`` with a known currency. The caller checked the rights and
    recounts the deal."""
    payment = Payment(**_columns(ctx, deal.id, deal.company_id, kind, values, None))
    record_create(s, ctx, payment, "payment")
    return payment


@dataclass(frozen=True)
class NewPayment:
    """A payment an import writes: of a visible deal (and its client), ``values``
    checked by ``payment_value_errors`` with a known currency, and the key of the
    document it came from (unique: importing it again is refused by the database)."""

    deal_id: int
    company_id: int
    values: dict[str, Any]
    import_key: str


BATCH = 250


def insert_payments(
    s: Session,
    ctx: Context,
    kind: PaymentKind,
    payments: Sequence[NewPayment],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write many payments (an import) in batched inserts, each audited as
    ``insert_payment`` audits one; ``progress(done, total)`` after each batch. Returns
    the new ids by import key. The caller checked the rights and recounts the deals."""
    now = utcnow()
    ids: dict[str, int] = {}
    conn = s.connection()
    for start in range(0, len(payments), BATCH):
        batch = payments[start : start + BATCH]
        rows = [
            {
                **_columns(ctx, p.deal_id, p.company_id, kind, p.values, p.import_key),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for p in batch
        ]
        insert_rows(conn, Payment.__table__, rows)
        keys = [p.import_key for p in batch]
        found = dict(
            s.execute(
                select(Payment.import_key, Payment.id).where(Payment.import_key.in_(keys))
            ).all()
        )
        for row in rows:
            row["id"] = found[row["import_key"]]
        audit.record_rows(s, created_audit_rows(ctx, Payment.__table__, rows, "payment", now))
        ids.update(found)
        if progress is not None:
            progress(start + len(batch), len(payments))
    return ids


def _load_payment(s: Session, ctx: Context, payment_id: int, version: int) -> Payment:
    payment = s.scalar(
        select(Payment)
        .join(Deal, Deal.id == Payment.deal_id)
        .where(Payment.id == payment_id, deal_visible(ctx))
    )
    if payment is None:
        raise NotFound(_("Payment"), payment_id)
    if payment.version != version:
        raise conflict_for(s, Payment, payment_id)
    return payment


def update_payment(ctx: Context, payment_id: int, version: int, **changes: Any) -> int:
    """Change fields (``PAYMENT_FIELDS``) of a payment saved at ``version``; returns the
    new version."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(PAYMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown payment fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    errors = money_field_errors(values)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if "currency_code" in values:
            check_currency(s, values["currency_code"], errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, payment, values, "payment")
        recount_deal_money(s, [payment.deal_id])
        return payment.version


def record_actual(
    ctx: Context,
    payment_id: int,
    version: int,
    pay_date: date | None = None,
    amount: Decimal | int | str | None = None,
    doc_no: str | None = None,
    doc_date: date | None = None,
    source: PaymentSource | str | None = None,
) -> int:
    """The planned payment was received: it becomes actual (on ``pay_date``, default
    today; for ``amount``, default the planned one). Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    values: dict[str, Any] = {"pay_date": pay_date or today()}
    if amount is not None:
        values["amount"] = amount
    if doc_no is not None:
        values["doc_no"] = doc_no
    if doc_date is not None:
        values["doc_date"] = doc_date
    if source is not None:
        values["source"] = source
    errors = money_field_errors(values)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if payment.pay_kind != PaymentKind.PLANNED:
            raise ValidationFailed({"kind": _("The payment is actual already")})
        values["pay_kind"] = PaymentKind.ACTUAL
        apply_changes(s, ctx, payment, values, "payment")
        recount_deal_money(s, [payment.deal_id])
        return payment.version


def delete_payment(ctx: Context, payment_id: int, version: int) -> None:
    """Delete a payment saved at ``version`` (an actual one needs the right ``delete``)."""
    ctx.require(R.DEALS, R.EDIT)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if payment.pay_kind == PaymentKind.ACTUAL:
            ctx.require(R.DELETE)
        deal_id = payment.deal_id
        record_delete(s, ctx, payment, "payment")
        recount_deal_money(s, [deal_id])


def get_payment(ctx: Context, payment_id: int) -> PaymentInfo:
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        payment = s.scalar(
            select(Payment)
            .join(Deal, Deal.id == Payment.deal_id)
            .where(Payment.id == payment_id, deal_visible(ctx))
        )
        if payment is None:
            raise NotFound(_("Payment"), payment_id)
        return payment_info(payment)
