"""Tab «Документы» (Documents) of the deal card: invoices, shipments, invoice-facturas
and payment orders by date — those the 1C exchange brought (read-only) and the invoices
and shipments a team without 1C registers by hand. a registers one, e (or Enter) edits
the highlighted hand-made document, Del deletes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.deals import DOC_KIND_LABELS, DOC_STATE_LABELS, DealView, DocumentInfo
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import Col, DealTab, none_row, table

EDIT_ACTIONS = ("add_doc", "edit_doc", "remove_doc")


class DocumentsTab(DealTab):
    TITLE = N_("Documents")
    KEYS = (
        Binding("a", "add_doc", N_("Add"), id="add_doc"),
        Binding("e", "edit_doc", N_("Edit"), id="edit_doc"),
        Binding("delete", "remove_doc", N_("Delete"), id="remove_doc"),
    )
    FOCUS = "#docs-table"
    COLUMNS = {
        "docs": (
            Col("kind", N_("Kind"), 14),
            Col("number", N_("Number"), 8, 1, 20),
            Col("date", N_("Date"), 10),
            Col("sum", N_("Sum"), 14, right=True),
            Col("state", N_("State"), 10, 1, 20),
            Col("source", N_("Source"), 8),
            Col("note", N_("Note"), 6, 2, 60, wide=True),
        ),
    }

    def compose(self) -> ComposeResult:
        yield Static("", id="docs-title", classes="section-title")
        yield table("docs")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS:
            return self.can_edit()
        return True

    def fill(self, view: DealView) -> None:
        card = view.card
        docs, row = self.emptied("docs")
        for d in card.documents:
            self.add(
                "docs",
                f"d{d.id}",
                {
                    "kind": _(DOC_KIND_LABELS[d.kind]),
                    "number": d.doc_no,
                    "date": fmt.day(d.doc_date),
                    "sum": fmt.money(d.amount, d.currency_code),
                    "state": _(DOC_STATE_LABELS[d.state]),
                    "source": _("by hand") if d.by_hand else Text(_("1C"), style="dim"),
                    "note": d.note or _rate_text(d),
                },
            )
        if not card.documents:
            self.add("docs", "none", {"kind": none_row(_("No documents"))})
        docs.move_cursor(row=min(row, max(len(card.documents) - 1, 0)))
        hint = _("a — register an invoice or a shipment by hand") if self.can_edit() else ""
        self.query_one("#docs-title", Static).update(
            Text(hint + ("; " + _("1C documents are read-only") if hint else ""), style="dim")
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.check_action("edit_doc", ()):
            self.action_edit_doc()

    def _hand_made(self) -> DocumentInfo | None:
        """The highlighted document if it was entered by hand; else a warning and None."""
        if self.card is None:
            return None
        document: DocumentInfo | None = self.highlighted("docs", self.card.documents)
        if document is None:
            self.notify(_("Highlight a document first"), severity="warning")
            return None
        if not document.by_hand:
            self.notify(_("1C documents are read-only"), severity="warning")
            return None
        return document

    def action_add_doc(self) -> None:
        from qstui.screens.dialogs.deal_documents import document_dialog

        if self.card is not None:
            self.form(document_dialog(self.card), _("Document added"))

    def action_edit_doc(self) -> None:
        from qstui.screens.dialogs.deal_documents import document_dialog

        document = self._hand_made()
        if document is not None and self.card is not None:
            self.form(document_dialog(self.card, document), _("Document saved"))

    def action_remove_doc(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog
        from qstui.services.deals.documents import delete_hand_document

        document = self._hand_made()
        if document is None:
            return
        question = _("Delete the {kind} №{number} of {day}?").format(
            kind=_(DOC_KIND_LABELS[document.kind]).lower(),
            number=document.doc_no,
            day=fmt.day(document.doc_date),
        )

        def delete(yes: bool | None) -> None:
            if yes:
                self.op(delete_hand_document, document.id, document.version, done=_("Deleted"))

        self.app.push_screen(ConfirmDialog(question, yes=_("Delete"), no=_("Cancel")), delete)


def _rate_text(d: DocumentInfo) -> str | None:
    """«курс 92,5» of a 1C document in a currency other than the base one."""
    if d.rate is None or d.rate == 1:
        return None
    places = max(0, -int(d.rate.normalize().as_tuple().exponent))
    return _("rate {rate}").format(rate=fmt.number(d.rate, places))
