"""The dialog of an invoice or a shipment registered by hand on the deal card (D5
without 1C): kind, number, date, sum in the deal currency — by default the sum of the
deal's products — and a note. Closes with the document's id (new) or version (edited).
"""

from __future__ import annotations

from typing import Any

from qstui.domain import formatting as fmt
from qstui.domain.clock import today
from qstui.domain.deals import DOC_KIND_LABELS, HAND_KINDS, DealCard, DocumentInfo
from qstui.domain.errors import ValidationFailed
from qstui.i18n import _
from qstui.screens.dialogs.deal_forms import DealForm, money_text, typed_day, typed_money
from qstui.services.deals.documents import add_hand_document, update_hand_document
from qstui.widgets.form import FieldSpec


def document_dialog(card: DealCard, document: DocumentInfo | None = None) -> DealForm:
    """Register an invoice or a shipment of the deal by hand, or edit ``document`` (one
    registered by hand)."""
    if document is None:
        title = _("An invoice or a shipment, entered by hand")
        kind, number, day, note = HAND_KINDS[0], "", today(), ""
        amount = card.amount if card.amount > 0 else None
    else:
        title = _("{kind} №{number}").format(
            kind=_(DOC_KIND_LABELS[document.kind]), number=document.doc_no
        )
        kind, number, day, note = document.kind, document.doc_no, document.doc_date, document.note
        amount = document.amount
    currency = document.currency_code if document is not None else card.currency_code
    fields = [
        FieldSpec(
            "kind",
            _("Document"),
            kind.value,
            choices=[(_(DOC_KIND_LABELS[k]), k.value) for k in HAND_KINDS],
            allow_blank=False,
        ),
        FieldSpec("doc_no", _("Number"), number, max_length=50),
        FieldSpec("doc_date", _("Date"), fmt.day(day), placeholder=_("DD.MM.YYYY")),
        FieldSpec(
            "amount",
            _("Sum, {currency}").format(currency=currency),
            money_text(amount),
            placeholder=_("Empty: the sum of the deal's products") if document is None else "",
        ),
        FieldSpec("note", _("Note"), note or "", max_length=500),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        errors: dict[str, str] = {}
        day = typed_day(values, "doc_date", errors, required=True)
        # adding, an empty sum is the sum of the deal's products (the service's)
        amount = typed_money(values, "amount", errors, required=document is not None)
        if errors:
            raise ValidationFailed(errors)
        typed = {
            "kind": values.get("kind") or HAND_KINDS[0].value,
            "doc_no": str(values.get("doc_no") or "").strip() or None,
            "doc_date": day,
            "amount": amount,
            "note": values.get("note") or None,
        }
        if document is None:
            return add_hand_document(ctx, card.id, **typed)
        return update_hand_document(ctx, document.id, document.version, **typed)

    return DealForm(title, fields, submit)
