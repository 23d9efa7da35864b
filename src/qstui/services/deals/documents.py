"""The documents of a deal (D5): invoices, shipments, invoice-facturas and payment
orders, by date. They count in the deal's debt (``debt``): adding, changing or deleting
one recounts the deal's summary columns (``sums``) in the same transaction.

Most come from the 1C exchange (``add_document``; tests too) and are read-only here. A
team without 1C registers its invoices and shipments by hand (``add_hand_document``,
in the deal currency, for a typed sum or the sum of the deal's products); those are
marked ``by_hand`` and only those may be changed or deleted (``update_hand_document``,
``delete_hand_document``). Every write is audited.

Rights: ``deals`` to read; ``edit`` to add, change or delete — on a deal one sees.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import Deal, DealDocument
from qstui.domain.deals import HAND_KINDS, DocumentInfo
from qstui.domain.enums import DocKind, DocState
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import (
    deal_for_money,
    document_info,
    documents_of,
    enum_value,
    load_deal,
    money_field_errors,
)
from qstui.services.deals.sums import recount_deal_money
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import deal_visible

# What of a document registered by hand may be changed.
HAND_FIELDS = ("kind", "doc_no", "doc_date", "amount", "note")


def list_documents(ctx: Context, deal_id: int) -> list[DocumentInfo]:
    """The documents of a visible deal, by date."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        load_deal(s, ctx, deal_id)
        return documents_of(s, deal_id)


def get_document(ctx: Context, document_id: int) -> DocumentInfo:
    """A document of a visible deal."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        return document_info(_visible_document(s, ctx, document_id))


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
    errors = _field_errors(values)
    doc_kind = enum_value(DocKind, kind, "kind", errors)
    doc_state = enum_value(DocState, state, "state", errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        deal = deal_for_money(s, ctx, deal_id, values)
        document = DealDocument(
            deal_id=deal.id,
            company_id=deal.company_id,
            doc_kind=doc_kind,
            state=doc_state,
            updated_by=ctx.user_id,
            **values,
        )
        record_create(s, ctx, document, "deal_document")
        recount_deal_money(s, [deal.id])
        return document.id


def add_hand_document(
    ctx: Context,
    deal_id: int,
    kind: DocKind | str,
    doc_no: str,
    doc_date: date,
    amount: Decimal | int | str | None = None,
    note: str | None = None,
) -> int:
    """An invoice or a shipment the manager registers by hand (no 1C), in the deal
    currency, for ``amount`` — None: the sum of the deal's products. Returns its id."""
    ctx.require(R.DEALS, R.EDIT)
    values: dict[str, Any] = {"doc_no": doc_no, "doc_date": doc_date, "note": note}
    if amount is not None:
        values["amount"] = amount
    errors = _field_errors(values)
    doc_kind = _hand_kind(kind, errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id)
        if "amount" not in values:
            if deal.amount <= 0:
                raise ValidationFailed({"amount": _("The deal has no products: enter the sum")})
            values["amount"] = deal.amount
        document = DealDocument(
            deal_id=deal.id,
            company_id=deal.company_id,
            doc_kind=doc_kind,
            state=DocState.POSTED,
            currency_code=deal.currency_code,
            by_hand=True,
            updated_by=ctx.user_id,
            **values,
        )
        record_create(s, ctx, document, "deal_document")
        recount_deal_money(s, [deal.id])
        return document.id


def update_hand_document(ctx: Context, document_id: int, version: int, **changes: Any) -> int:
    """Change fields (``HAND_FIELDS``) of a document registered by hand, saved at
    ``version``; a 1C document is refused. Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(HAND_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    errors = _field_errors(values, required=False)
    if "kind" in values:
        values["doc_kind"] = _hand_kind(values.pop("kind"), errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, DealDocument, document_id) as s:
        document = _hand_document(s, ctx, document_id, version)
        apply_changes(s, ctx, document, values, "deal_document")
        recount_deal_money(s, [document.deal_id])
        return document.version


def delete_hand_document(ctx: Context, document_id: int, version: int) -> None:
    """Delete a document registered by hand, saved at ``version``; a 1C one is refused."""
    ctx.require(R.DEALS, R.EDIT)
    with writing(ctx, DealDocument, document_id) as s:
        document = _hand_document(s, ctx, document_id, version)
        deal_id = document.deal_id
        record_delete(s, ctx, document, "deal_document")
        recount_deal_money(s, [deal_id])


# --- helpers ----------------------------------------------------------------------------


def _field_errors(values: dict[str, Any], required: bool = True) -> dict[str, str]:
    """Errors of the document's fields in ``values`` (normalized in place); with
    ``required`` the number and the date must be there."""
    errors = money_field_errors(values)
    if (required or "doc_no" in values) and values.get("doc_no") is None:
        errors["doc_no"] = _("Enter the document number")
    if (required or "doc_date" in values) and values.get("doc_date") is None:
        errors["doc_date"] = _("Enter a date")
    return errors


def _hand_kind(kind: Any, errors: dict[str, str]) -> DocKind | None:
    doc_kind = enum_value(DocKind, kind, "kind", errors)
    if doc_kind is not None and doc_kind not in HAND_KINDS:
        errors["kind"] = _("By hand one registers an invoice or a shipment")
    return doc_kind


def _visible_document(s: Session, ctx: Context, document_id: int) -> DealDocument:
    document = s.scalar(
        select(DealDocument)
        .join(Deal, Deal.id == DealDocument.deal_id)
        .where(DealDocument.id == document_id, deal_visible(ctx))
    )
    if document is None:
        raise NotFound(_("Document"), document_id)
    return document


def _hand_document(s: Session, ctx: Context, document_id: int, version: int) -> DealDocument:
    """The document to change: of a visible deal, registered by hand, at ``version``."""
    document = _visible_document(s, ctx, document_id)
    if not document.by_hand:
        raise AccessDenied(R.EDIT, _("A document from 1C is read-only here: it is changed in 1C"))
    if document.version != version:
        raise conflict_for(s, DealDocument, document_id)
    return document
