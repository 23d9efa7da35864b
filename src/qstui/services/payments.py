"""The money of a deal: planned and actual payments (D4) and its 1C documents (D5).

A payment is planned (a promise, with a date) or actual (money received); a planned
one becomes actual with ``record_actual``. Amounts are positive, at most 15 digits, in
a known currency (default: the deal's). Payments carry their own version.

Rights: ``deals`` to read; ``edit`` to add or change; deleting an actual payment (money
received) also needs ``delete``. 1C documents are added by the 1C exchange (and tests)
with ``edit``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import Currency, Deal, DealDocument, Payment
from qstui.domain.clock import today
from qstui.domain.deals import DocumentInfo, PaymentInfo, as_decimal, money_error
from qstui.domain.enums import DocKind, DocState, PaymentKind, PaymentSource
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals import (
    clean_text,
    documents_of,
    load_deal,
    payment_info,
    payments_of,
)
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import deal_visible

PAYMENT_FIELDS = ("pay_date", "amount", "currency_code", "source", "doc_no", "doc_date", "purpose")
LENGTHS = {"doc_no": 50, "purpose": 500, "note": 500}


def _enum(enum: Any, value: Any, key: str, errors: dict[str, str]) -> Any:
    try:
        return enum(value)
    except ValueError:
        errors[key] = _("Unknown value {value}: use one of {values}").format(
            value=value, values=", ".join(item.value for item in enum)
        )
        return None


def _check(values: dict[str, Any]) -> dict[str, str]:
    """Errors of the fields present in ``values``; normalizes them in place."""
    errors: dict[str, str] = {}
    if "amount" in values:
        message = money_error(values["amount"], positive=True)
        if message is not None:
            errors["amount"] = message
        else:
            values["amount"] = as_decimal(values["amount"])
    for key in ("pay_date", "doc_date"):
        if key in values and values[key] is not None and not isinstance(values[key], date):
            errors[key] = _("Enter a date")
    if "pay_date" in values and values["pay_date"] is None:
        errors["pay_date"] = _("Enter a date")
    if "source" in values:
        values["source"] = _enum(PaymentSource, values["source"], "source", errors)
    if "currency_code" in values and values["currency_code"] is not None:
        values["currency_code"] = str(values["currency_code"]).strip().upper()
    for key, limit in LENGTHS.items():
        if key in values:
            values[key] = clean_text(values[key])
            if values[key] is not None and len(values[key]) > limit:
                errors[key] = _("At most {n} characters").format(n=limit)
    return errors


def _check_currency(s: Session, code: str | None, errors: dict[str, str]) -> None:
    if not code or s.scalar(select(Currency.id).where(Currency.code == code)) is None:
        errors["currency_code"] = _("Unknown currency {code}").format(code=code)


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
    errors = _check(values)
    pay_kind = _enum(PaymentKind, kind, "kind", errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id)
        values["currency_code"] = values["currency_code"] or deal.currency_code
        _check_currency(s, values["currency_code"], errors)
        if errors:
            raise ValidationFailed(errors)
        payment = Payment(
            deal_id=deal.id,
            company_id=deal.company_id,
            pay_kind=pay_kind,
            updated_by=ctx.user_id,
            **values,
        )
        record_create(s, ctx, payment, "payment")
        return payment.id


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
    errors = _check(values)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if "currency_code" in values:
            _check_currency(s, values["currency_code"], errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, payment, values, "payment")
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
    errors = _check(values)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if payment.pay_kind != PaymentKind.PLANNED:
            raise ValidationFailed({"kind": _("The payment is actual already")})
        values["pay_kind"] = PaymentKind.ACTUAL
        apply_changes(s, ctx, payment, values, "payment")
        return payment.version


def delete_payment(ctx: Context, payment_id: int, version: int) -> None:
    """Delete a payment saved at ``version`` (an actual one needs the right ``delete``)."""
    ctx.require(R.DEALS, R.EDIT)
    with writing(ctx) as s:
        payment = _load_payment(s, ctx, payment_id, version)
        if payment.pay_kind == PaymentKind.ACTUAL:
            ctx.require(R.DELETE)
        record_delete(s, ctx, payment, "payment")


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


# --- 1C documents (D5) -------------------------------------------------------------------


def list_documents(ctx: Context, deal_id: int) -> list[DocumentInfo]:
    """The 1C documents of a visible deal, by date."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        load_deal(s, ctx, deal_id)
        return documents_of(s, deal_id)


def add_document(
    ctx: Context,
    deal_id: int,
    kind: DocKind | str,
    doc_no: str,
    doc_date: date,
    amount: Decimal | int | str,
    currency_code: str | None = None,
    state: DocState | str = DocState.POSTED,
    note: str | None = None,
) -> int:
    """A 1C document of the deal (invoice, shipment, invoice-factura, payment order);
    returns its id."""
    ctx.require(R.DEALS, R.EDIT)
    values: dict[str, Any] = {
        "amount": amount,
        "doc_date": doc_date,
        "doc_no": doc_no,
        "note": note,
        "currency_code": currency_code,
    }
    errors = _check(values)
    if values.get("doc_no") is None:
        errors["doc_no"] = _("Enter the document number")
    if doc_date is None:
        errors["doc_date"] = _("Enter a date")
    doc_kind = _enum(DocKind, kind, "kind", errors)
    doc_state = _enum(DocState, state, "state", errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id)
        values["currency_code"] = values["currency_code"] or deal.currency_code
        _check_currency(s, values["currency_code"], errors)
        if errors:
            raise ValidationFailed(errors)
        document = DealDocument(
            deal_id=deal.id,
            company_id=deal.company_id,
            doc_kind=doc_kind,
            state=doc_state,
            updated_by=ctx.user_id,
            **values,
        )
        record_create(s, ctx, document, "deal_document")
        return document.id
