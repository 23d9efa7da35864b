"""What the deal modules share: loading a visible deal and saving it under its version,
the deal's text rules, the rows of a deal (stages' users, products, payments, 1C
documents) as the plain objects the services hand out, and the checks of the money
fields payments and documents have in common.

These helpers take an open session and check no rights: the services calling them
have checked the right and load the deal through ``load_deal`` (visibility).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import (
    AppUser,
    Deal,
    DealDocument,
    DealItem,
    Payment,
    Product,
    Stage,
    Unit,
)
from qstui.domain import text
from qstui.domain.deals import (
    DocumentInfo,
    ItemInfo,
    PaymentInfo,
    as_decimal,
    money_error,
)
from qstui.domain.enums import PaymentSource
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.normalize import fold
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.persist import apply_changes, conflict_for, new_version
from qstui.services.refbooks.currency import check_currency
from qstui.services.visibility import deal_visible

# The longest texts of a deal's fields, of a stage's note and of a loss's note.
LENGTHS = {"title": 250, "reason": 500, "notes": 4000, "lost_note": 1000, "note": 1000}
# ... and of the texts of payments and 1C documents.
MONEY_LENGTHS = {"doc_no": 50, "purpose": 500, "note": 500}


# --- a deal under its version ------------------------------------------------------------


def load_deal(s: Session, ctx: Context, deal_id: int, version: int | None = None) -> Deal:
    """The visible deal (else NotFound), checked against the version the user started
    from (else Conflict naming who saved it last)."""
    deal = s.scalar(select(Deal).where(Deal.id == deal_id, deal_visible(ctx)))
    if deal is None:
        raise NotFound(_("Deal"), deal_id)
    if version is not None and deal.version != version:
        raise conflict_for(s, Deal, deal_id)
    return deal


def save_deal(
    s: Session, ctx: Context, deal: Deal, values: Mapping[str, Any], force: bool = True
) -> int:
    """Apply ``values`` to the deal (audited); with ``force`` give it a new version even
    when nothing of its own changed (its items or stages did). Returns the version."""
    diff = apply_changes(s, ctx, deal, values, "deal", derived=_derived)
    if not diff and force:
        new_version(s, ctx, deal)
    return deal.version


def _derived(deal: Deal) -> dict[str, Any]:
    return {"title_fold": fold(deal.title)[:250]}


# --- text -------------------------------------------------------------------------------


def length_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Messages for the deal's texts over their columns' lengths (``LENGTHS``)."""
    return text.length_errors(values, LENGTHS)


# --- the rows of a deal as plain objects -------------------------------------------------


def items_of(s: Session, deal_id: int) -> list[ItemInfo]:
    rows = s.execute(
        select(DealItem, Product.name, Product.sku, Product.vat_pct, Unit.short_name)
        .join(Product, Product.id == DealItem.product_id)
        .outerjoin(Unit, Unit.id == Product.unit_id)
        .where(DealItem.deal_id == deal_id)
        .order_by(DealItem.line_no, DealItem.id)
    ).all()
    return [
        ItemInfo(
            id=item.id,
            deal_id=item.deal_id,
            line_no=item.line_no,
            product_id=item.product_id,
            product_name=name,
            sku=sku,
            unit=unit,
            qty=item.qty,
            price=item.price,
            discount_pct=item.discount_pct,
            amount=item.amount,
            vat_pct=item.vat_pct if item.vat_pct is not None else product_vat,
            version=item.version,
        )
        for item, name, sku, product_vat, unit in rows
    ]


def payment_info(p: Payment) -> PaymentInfo:
    return PaymentInfo(
        id=p.id,
        deal_id=p.deal_id,
        company_id=p.company_id,
        kind=p.pay_kind,
        pay_date=p.pay_date,
        amount=p.amount,
        currency_code=p.currency_code,
        source=p.source,
        doc_no=p.doc_no,
        doc_date=p.doc_date,
        purpose=p.purpose,
        version=p.version,
    )


def payments_of(s: Session, deal_id: int) -> list[PaymentInfo]:
    rows = s.scalars(
        select(Payment)
        .where(Payment.deal_id == deal_id)
        .order_by(Payment.pay_kind, Payment.pay_date, Payment.id)
    )
    return [payment_info(p) for p in rows]


def document_info(d: DealDocument) -> DocumentInfo:
    return DocumentInfo(
        id=d.id,
        deal_id=d.deal_id,
        company_id=d.company_id,
        kind=d.doc_kind,
        doc_no=d.doc_no,
        doc_date=d.doc_date,
        amount=d.amount,
        currency_code=d.currency_code,
        state=d.state,
        note=d.note,
        version=d.version,
        by_hand=d.by_hand,
        rate=d.rate,
    )


def documents_of(s: Session, deal_id: int) -> list[DocumentInfo]:
    rows = s.scalars(
        select(DealDocument)
        .where(DealDocument.deal_id == deal_id)
        .order_by(DealDocument.doc_date, DealDocument.id)
    )
    return [document_info(d) for d in rows]


# --- stages -----------------------------------------------------------------------------


def check_user(s: Session, user_id: int | None, key: str, errors: dict[str, str]) -> None:
    """A message at ``key`` in ``errors`` when there is no user ``user_id``."""
    if user_id is not None and s.scalar(select(AppUser.id).where(AppUser.id == user_id)) is None:
        errors[key] = _("No such user")


def stage_due(start: date, stage: Stage) -> date | None:
    """The deadline of ``stage`` started on ``start``: its usual days later (if any)."""
    return start + timedelta(days=stage.days) if stage.days is not None else None


# --- the money fields of payments and 1C documents ---------------------------------------


def enum_value(enum: Any, value: Any, key: str, errors: dict[str, str]) -> Any:
    """``value`` as a member of ``enum``; None and a message at ``key`` if it is none."""
    try:
        return enum(value)
    except ValueError:
        errors[key] = _("Unknown value {value}: use one of {values}").format(
            value=value, values=", ".join(item.value for item in enum)
        )
        return None


def money_field_errors(values: dict[str, Any]) -> dict[str, str]:
    """Errors of the payment or document fields present in ``values``; normalizes them
    in place (the amount a Decimal, texts cleaned, the currency code upper case)."""
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
        values["source"] = enum_value(PaymentSource, values["source"], "source", errors)
    if "currency_code" in values and values["currency_code"] is not None:
        values["currency_code"] = str(values["currency_code"]).strip().upper()
    for key, limit in MONEY_LENGTHS.items():
        if key in values:
            values[key] = text.one_line(values[key])
            if values[key] is not None and len(values[key]) > limit:
                errors[key] = text.too_long(limit)
    return errors


def deal_for_money(s: Session, ctx: Context, deal_id: int, values: dict[str, Any]) -> Deal:
    """The visible deal a payment or a document is written to; ``values["currency_code"]``
    defaults to the deal's and must be a known currency (else ValidationFailed)."""
    deal = load_deal(s, ctx, deal_id)
    values["currency_code"] = values["currency_code"] or deal.currency_code
    errors: dict[str, str] = {}
    check_currency(s, values["currency_code"], errors)
    if errors:
        raise ValidationFailed(errors)
    return deal
