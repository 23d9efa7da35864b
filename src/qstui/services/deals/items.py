"""Products and services of a deal (D3).

A line is product, quantity (> 0), price (≥ 0, in the deal currency), discount
(0–100 %) and VAT rate; its sum is qty × price × (1 − discount/100) rounded to kopecks
half up (``domain.deals.item_amount``). The deal's ``amount`` is kept equal to the sum
of its lines.

Lines are edited under the *deal's* version: every change gives the deal a new version,
so two people editing the products of one deal conflict cleanly (the second gets
``Conflict`` and nothing of theirs is written). The product picker's list is
``choices.product_choices``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui.db.models import Deal, DealItem, Product
from qstui.domain.clock import today
from qstui.domain.deals import (
    MAX_MONEY,
    ItemInfo,
    ItemSaved,
    as_decimal,
    item_amount,
    money_error,
    percent_error,
    qty_error,
)
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import items_of, load_deal, save_deal
from qstui.services.persist import apply_changes, record_create, record_delete, writing
from qstui.services.refbooks.currency import convert
from qstui.services.visibility import deal_visible

ITEM_FIELDS = ("product_id", "qty", "price", "discount_pct", "vat_pct")


def list_items(ctx: Context, deal_id: int) -> list[ItemInfo]:
    """The products of a visible deal, in line order."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        load_deal(s, ctx, deal_id)
        return items_of(s, deal_id)


def _check(values: dict[str, Any]) -> dict[str, Decimal]:
    """The numbers as Decimals, or ValidationFailed with one message per bad field."""
    errors: dict[str, str] = {}
    checks = {
        "qty": qty_error,
        "price": lambda v: money_error(v, positive=False),
        "discount_pct": percent_error,
        "vat_pct": percent_error,
    }
    for key, check in checks.items():
        if key in values and values[key] is not None:
            message = check(values[key])
            if message is not None:
                errors[key] = message
    if errors:
        raise ValidationFailed(errors)
    return {
        key: as_decimal(values[key])  # type: ignore[misc]
        for key in checks
        if key in values and values[key] is not None
    }


def _product(s: Session, product_id: Any, active_only: bool) -> Product:
    product = s.get(Product, product_id) if isinstance(product_id, int) else None
    if product is None or (active_only and not product.is_active):
        raise ValidationFailed({"product_id": _("Choose an active product")})
    return product


def _recount(s: Session, ctx: Context, deal: Deal) -> int:
    """Keep the deal's amount = the sum of its lines; a new deal version either way."""
    total = sum(
        (Decimal(a) for a in s.scalars(select(DealItem.amount).where(DealItem.deal_id == deal.id))),
        Decimal("0.00"),
    )
    if total > MAX_MONEY:
        raise ValidationFailed({"amount": _("The deal's total is too large (at most 15 digits)")})
    return save_deal(s, ctx, deal, {"amount": total})


def _amount_checked(qty: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    amount = item_amount(qty, price, discount)
    if amount > MAX_MONEY:
        raise ValidationFailed({"amount": _("The line's sum is too large (at most 15 digits)")})
    return amount


def add_item(
    ctx: Context,
    deal_id: int,
    deal_version: int,
    product_id: int,
    qty: Decimal | int | str,
    price: Decimal | int | str | None = None,
    discount_pct: Decimal | int | str = Decimal(0),
    vat_pct: Decimal | int | str | None = None,
) -> ItemSaved:
    """Add a line to the deal saved at ``deal_version``. The price defaults to the
    product's (converted into the deal currency at today's rate), the VAT rate to the
    product's. Returns the line's id and the deal's new version."""
    ctx.require(R.DEALS, R.EDIT)
    numbers = _check({"qty": qty, "price": price, "discount_pct": discount_pct, "vat_pct": vat_pct})
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, deal_version)
        product = _product(s, product_id, active_only=True)
        if "price" not in numbers:
            numbers["price"] = convert(
                s, product.price, product.currency_code, deal.currency_code, today()
            )
        vat = numbers.get("vat_pct", product.vat_pct)
        last = s.scalar(select(func.max(DealItem.line_no)).where(DealItem.deal_id == deal.id))
        item = DealItem(
            deal_id=deal.id,
            product_id=product.id,
            line_no=(last or 0) + 1,
            qty=numbers["qty"],
            price=numbers["price"],
            discount_pct=numbers.get("discount_pct", Decimal(0)),
            amount=_amount_checked(
                numbers["qty"], numbers["price"], numbers.get("discount_pct", Decimal(0))
            ),
            vat_pct=vat,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, item, "deal_item")
        return ItemSaved(item.id, _recount(s, ctx, deal))


def _load_item(s: Session, ctx: Context, item_id: int, deal_version: int) -> tuple[DealItem, Deal]:
    deal_id = s.scalar(
        select(DealItem.deal_id)
        .join(Deal, Deal.id == DealItem.deal_id)
        .where(DealItem.id == item_id, deal_visible(ctx))
    )
    if deal_id is None:
        raise NotFound(_("Product line"), item_id)
    deal = load_deal(s, ctx, deal_id, deal_version)
    item = s.get(DealItem, item_id)
    assert item is not None
    return item, deal


def update_item(ctx: Context, item_id: int, deal_version: int, **changes: Any) -> int:
    """Change a line (``ITEM_FIELDS``) of the deal saved at ``deal_version``; returns the
    deal's new version."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {', '.join(sorted(unknown))}")
    if "qty" in changes and changes["qty"] is None:
        raise ValidationFailed({"qty": _("Enter a quantity, e.g. 2 or 1.5")})
    if "price" in changes and changes["price"] is None:
        raise ValidationFailed({"price": _("Enter an amount, e.g. 1234.50")})
    values: dict[str, Any] = dict(_check(changes))
    if "discount_pct" in changes and changes["discount_pct"] is None:
        values["discount_pct"] = Decimal(0)
    if "vat_pct" in changes and changes["vat_pct"] is None:
        values["vat_pct"] = None
    with writing(ctx) as s:
        item, deal = _load_item(s, ctx, item_id, deal_version)
        if "product_id" in changes and changes["product_id"] != item.product_id:
            values["product_id"] = _product(s, changes["product_id"], active_only=True).id
        values["amount"] = _amount_checked(
            values.get("qty", item.qty),
            values.get("price", item.price),
            values.get("discount_pct", item.discount_pct),
        )
        apply_changes(s, ctx, item, values, "deal_item")
        return _recount(s, ctx, deal)


def remove_item(ctx: Context, item_id: int, deal_version: int) -> int:
    """Remove a line of the deal saved at ``deal_version`` (the lines after it move up);
    returns the deal's new version."""
    ctx.require(R.DEALS, R.EDIT)
    with writing(ctx) as s:
        item, deal = _load_item(s, ctx, item_id, deal_version)
        record_delete(s, ctx, item, "deal_item")
        rest = s.scalars(
            select(DealItem)
            .where(DealItem.deal_id == deal.id)
            .order_by(DealItem.line_no, DealItem.id)
        )
        for no, line in enumerate(rest, start=1):
            if line.line_no != no:
                apply_changes(s, ctx, line, {"line_no": no}, "deal_item")
        return _recount(s, ctx, deal)
