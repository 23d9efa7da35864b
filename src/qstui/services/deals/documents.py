"""The 1C documents of a deal (D5): invoices, shipments, invoice-facturas and payment
orders, by date. They come from the 1C exchange (and tests); they count in the deal's
debt (``debt``): adding one recounts the deal's summary columns (``sums``).

Rights: ``deals`` to read; ``edit`` to add.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from qstui.db.models import DealDocument
from qstui.domain.deals import DocumentInfo
from qstui.domain.enums import DocKind, DocState
from qstui.domain.errors import ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import (
    deal_for_money,
    documents_of,
    enum_value,
    load_deal,
    money_field_errors,
)
from qstui.services.deals.sums import recount_deal_money
from qstui.services.persist import record_create, writing


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
    errors = money_field_errors(values)
    if values.get("doc_no") is None:
        errors["doc_no"] = _("Enter the document number")
    if doc_date is None:
        errors["doc_date"] = _("Enter a date")
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
