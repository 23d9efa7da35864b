"""Tab «Товары и оплата» (Products and payment) of the deal card: the product lines with
the total, and the planned and actual payments. a adds a product, e (or Enter) edits the
highlighted line, Del deletes the highlighted line or payment; y adds a planned payment,
f an actual one, r records a planned payment as received."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.deals import (
    PAYMENT_KIND_LABELS,
    PAYMENT_SOURCE_LABELS,
    DealView,
    ItemInfo,
    PaymentInfo,
)
from qstui.domain.enums import PaymentKind
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import Col, DealTab, table

EDIT_ACTIONS = ("edit", "add_item", "remove", "add_planned", "add_actual", "received")


def qty_text(value: Any) -> str:
    """A quantity or percent without trailing zeros: ``2``, ``1,5`` (ru)."""
    text = format(value, "f")
    places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return fmt.number(value, places)


class ProductsTab(DealTab):
    TITLE = N_("Products and payment")
    KEYS = (
        Binding("e", "edit", N_("Edit"), id="edit"),
        Binding("a", "add_item", N_("Add"), id="add_item"),
        Binding("delete", "remove", N_("Delete"), id="remove"),
        Binding("y", "add_planned", N_("Planned pay"), id="add_planned"),
        Binding("f", "add_actual", N_("Payment"), id="add_actual"),
        Binding("r", "received", N_("Received"), id="received"),
    )
    FOCUS = "#items-table"
    COLUMNS = {
        "items": (
            Col("product", N_("Product"), 14, 1, 70),
            Col("qty", N_("Qty"), 8, right=True),
            Col("price", N_("Price"), 14, right=True),
            Col("discount", N_("Disc. %"), 7, right=True),
            Col("sum", N_("Sum"), 15, right=True),
        ),
        "payments": (
            Col("kind", N_("Kind"), 9),
            Col("date", N_("Date"), 10),
            Col("amount", N_("Amount"), 15, right=True),
            Col("source", N_("Source"), 10),
            Col("doc", N_("Document"), 9, 1, 20),
            Col("purpose", N_("Purpose"), 6, 2, 60),
        ),
    }
    DEFAULT_CSS = """
    ProductsTab #products-pane { height: 1fr; }
    ProductsTab #items-table { max-height: 12; }
    ProductsTab #payments-table { max-height: 10; }
    ProductsTab .section-title { margin-top: 0; }
    ProductsTab #items-total { text-style: bold; margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="products-pane") as pane:
            pane.can_focus = False  # Tab goes between the two tables
            yield Static(_("Products and services"), classes="section-title", id="items-title")
            yield table("items")
            yield Static("", id="items-total")
            yield Static(_("Payments"), classes="section-title", id="payments-title")
            yield table("payments")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS:
            return self.can_edit()
        return True

    def fill(self, view: DealView) -> None:
        self._show_items(view)
        self._show_payments(view)

    def _show_items(self, view: DealView) -> None:
        card = view.card
        items, row = self.emptied("items")
        code = card.currency_code
        for item in card.items:
            self.add(
                "items",
                f"i{item.id}",
                {
                    "product": f"{item.line_no}. {item.product_name}",
                    "qty": f"{qty_text(item.qty)} {item.unit or ''}".strip(),
                    "price": fmt.money(item.price, code),
                    "discount": qty_text(item.discount_pct),
                    "sum": fmt.money(item.amount, code),
                },
            )
        self.query_one("#items-title", Static).update(
            _("Products and services")
            if card.items
            else _("Products and services: none yet (a — add)")
        )
        items.move_cursor(row=min(row, max(len(card.items) - 1, 0)))
        self.query_one("#items-total", Static).update(
            _("Total: {amount}").format(amount=fmt.money(card.amount, code))
        )

    def _show_payments(self, view: DealView) -> None:
        card = view.card
        payments, row = self.emptied("payments")
        for p in card.payments:
            self.add(
                "payments",
                f"p{p.id}",
                {
                    "kind": _(PAYMENT_KIND_LABELS[p.kind]),
                    "date": fmt.day(p.pay_date),
                    "amount": fmt.money(p.amount, p.currency_code),
                    "source": _(PAYMENT_SOURCE_LABELS[p.source]),
                    "doc": p.doc_no,
                    "purpose": p.purpose,
                },
            )
        self.query_one("#payments-title", Static).update(
            _("Payments") if card.payments else _("Payments: none yet")
        )
        payments.move_cursor(row=min(row, max(len(card.payments) - 1, 0)))

    def _on_payments(self) -> bool:
        return self.screen.focused is self.query_one("#payments-table")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        name = event.data_table.id
        if name == "items-table" and self.check_action("edit", ()):
            self._edit_item()
        elif name == "payments-table" and self.check_action("received", ()):
            self.action_received()

    # --- products -------------------------------------------------------------------------

    def action_add_item(self) -> None:
        from qstui.screens.dialogs.deal_forms import item_dialog
        from qstui.screens.dialogs.product_picker import ProductPicker

        card = self.card
        if card is None:
            return

        def picked(product: Any) -> None:
            if product is not None and self.card is not None:
                self.form(item_dialog(self.card, self.version, product=product), _("Product added"))

        self.app.push_screen(ProductPicker(card.currency_code), picked)

    def _edit_item(self) -> None:
        from qstui.screens.dialogs.deal_forms import item_dialog

        if self.card is None:
            return
        item: ItemInfo | None = self.highlighted("items", self.card.items)
        if item is None:
            self.notify(_("The deal has no products yet: a — add one"), severity="warning")
            return
        self.form(item_dialog(self.card, self.version, item=item), _("Product line saved"))

    def action_edit(self) -> None:
        if self._on_payments():
            self.action_received()
        else:
            self._edit_item()

    def action_remove(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog
        from qstui.services.deals.items import remove_item
        from qstui.services.deals.payments import delete_payment

        card = self.card
        if card is None:
            return
        if self._on_payments():
            payment: PaymentInfo | None = self.highlighted("payments", card.payments)
            if payment is None:
                return
            question = _("Delete the payment of {amount} of {day}?").format(
                amount=fmt.money(payment.amount, payment.currency_code),
                day=fmt.day(payment.pay_date),
            )

            def delete(yes: bool | None) -> None:
                if yes:
                    self.op(delete_payment, payment.id, payment.version, done=_("Deleted"))

        elif self.screen.focused is self.query_one("#items-table"):
            item: ItemInfo | None = self.highlighted("items", card.items)
            if item is None:
                return
            question = _("Remove «{name}» from the deal?").format(name=item.product_name)

            def delete(yes: bool | None) -> None:
                if yes:
                    self.op(remove_item, item.id, self.version(), done=_("Removed"))

        else:
            self.notify(_("Highlight a product or a payment first"), severity="warning")
            return

        self.app.push_screen(ConfirmDialog(question, yes=_("Delete"), no=_("Cancel")), delete)

    # --- payments -------------------------------------------------------------------------

    def _payment(self, kind: PaymentKind) -> None:
        from qstui.screens.dialogs.deal_forms import payment_dialog

        if self.card is None or self.view is None:
            return
        self.form(payment_dialog(self.card, kind, self.view.currencies), _("Payment added"))

    def action_add_planned(self) -> None:
        self._payment(PaymentKind.PLANNED)

    def action_add_actual(self) -> None:
        self._payment(PaymentKind.ACTUAL)

    def action_received(self) -> None:
        from qstui.screens.dialogs.deal_forms import received_dialog

        if self.card is None:
            return
        payment: PaymentInfo | None = self.highlighted("payments", self.card.payments)
        if payment is None or payment.kind != PaymentKind.PLANNED:
            self.notify(_("Highlight a planned payment in the payments table"), severity="warning")
            return
        self.form(received_dialog(payment), _("The payment is recorded as received"))
