"""Tabs «Работы» (deals with stage, status, amount, debt and the client's total debt;
Enter opens the deal card, n starts a new deal) and «Продукты» (what the client bought)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientCard
from qstui.domain.enums import DealStatus
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab, text
from qstui.services import rights as R
from qstui.services.deals.deal import create_deal
from qstui.widgets import cells
from qstui.widgets.form import FieldSpec
from qstui.widgets.tables import card_table, current_key, fill_table

STATUS_NAMES = {
    DealStatus.OPEN: N_("open"),
    DealStatus.WON: N_("won"),
    DealStatus.LOST: N_("lost"),
}


def new_deal(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    """Runs in a worker: a deal of the client with the typed title."""
    return create_deal(ctx, company_id, values.get("title") or "")


class DealsTab(CardTab):
    TITLE = N_("Deals")
    SHORT = N_("Deals")
    BINDINGS = [
        Binding("n,insert", "new", N_("New deal"), id="client_deals.new"),
        Binding("enter", "open", N_("Open the deal"), show=False, id="client_deals.open"),
    ]
    INSERT = "new"

    def compose(self) -> ComposeResult:
        yield Static("", id="deals-title", classes="tab-title")
        yield card_table(
            "deals",
            (
                N_("Started"),
                (N_("Deal"), 24),
                N_("Status"),
                N_("Amount"),
                N_("Debt"),
                (N_("Stage"), 16),
                N_("Manager"),
            ),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new":
            return self.can(R.EDIT, R.DEALS)
        return True

    def fill(self, card: ClientCard) -> None:
        title = _("Deals: {n}").format(n=len(card.deals))
        debt = fmt.debt_phrase(card.total_debt, "RUB", _("total debt: {amount}"))
        self.query_one("#deals-title", Static).update(
            cells.styled(
                f"{title} · {debt}  " + _("(Enter — open, n — new deal)"),
                cells.ALERT if card.total_debt > 0 else "",
            )
        )
        fill_table(
            self.query_one("#deals", DataTable),
            [
                (
                    str(d.id),
                    [
                        fmt.day(d.started_on),
                        d.title,
                        _(STATUS_NAMES.get(d.status, str(d.status))),
                        cells.money(d.amount, d.currency_code),
                        cells.debt(d.debt, d.currency_code, advance=True),
                        d.stage or "",
                        d.manager or "",
                    ],
                )
                for d in card.deals
            ],
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = current_key(self.query_one("#deals", DataTable))
        if key is not None:
            self.open_deal(int(key))

    def open_deal(self, deal_id: int) -> None:
        self.post_message(self.OpenDeal(deal_id))

    def action_new(self) -> None:
        if self.card is None:
            return
        company_id = self.card.id

        def submit(ctx: Any, values: dict[str, Any]) -> int:
            return new_deal(ctx, company_id, values)

        def created(deal_id: int) -> None:
            self.changed(_("Deal created"))
            self.open_deal(deal_id)

        self.form(
            _("New deal of «{name}»").format(name=self.card.name),
            [FieldSpec("title", _("Title"), max_length=250)],
            submit,
            created,
            save_label=_("Create"),
        )


class ProductsTab(CardTab):
    TITLE = N_("Products")
    SHORT = N_("Products")

    def compose(self) -> ComposeResult:
        yield Static("", id="products-title", classes="tab-title")
        yield card_table(
            "products", ((N_("Product"), 34), N_("Quantity"), N_("Amount"), N_("Last bought"))
        )

    def fill(self, card: ClientCard) -> None:
        self.query_one("#products-title", Static).update(
            _("Products and services bought (won deals): {n}").format(n=len(card.products))
        )
        fill_table(
            self.query_one("#products", DataTable),
            [
                (
                    str(p.product_id),
                    [p.product, text(p.qty), cells.money(p.amount), fmt.day(p.last_on)],
                )
                for p in card.products
            ],
        )
