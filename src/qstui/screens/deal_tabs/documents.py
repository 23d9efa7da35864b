"""Tab «Документы 1С» (1C documents) of the deal card: the invoices, shipments,
invoice-facturas and payment orders the 1C exchange brought, by date."""

from __future__ import annotations

from textual.app import ComposeResult

from qstui.domain import formatting as fmt
from qstui.domain.deals import DOC_KIND_LABELS, DOC_STATE_LABELS, DealView
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import Col, DealTab, none_row, table


class DocumentsTab(DealTab):
    TITLE = N_("1C documents")
    FOCUS = "#docs-table"
    COLUMNS = {
        "docs": (
            Col("kind", N_("Kind"), 14),
            Col("number", N_("Number"), 8, 1, 20),
            Col("date", N_("Date"), 10),
            Col("sum", N_("Sum"), 15, right=True),
            Col("state", N_("State"), 10, 1, 20),
            Col("note", N_("Note"), 6, 2, 60),
        ),
    }

    def compose(self) -> ComposeResult:
        yield table("docs")

    def fill(self, view: DealView) -> None:
        card = view.card
        self.emptied("docs")
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
                    "note": d.note,
                },
            )
        if not card.documents:
            self.add("docs", "none", {"kind": none_row(_("No documents"))})
