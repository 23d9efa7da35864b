"""Tab «Долг» (Debt) of the deal card: invoiced, shipped, paid and the debt (D6) — the
larger of invoiced and shipped, minus paid — or an advance."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealView
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import DealTab
from qstui.widgets import cells


class DebtTab(DealTab):
    TITLE = N_("Debt")

    def compose(self) -> ComposeResult:
        yield Static("", id="debt-view")

    def fill(self, view: DealView) -> None:
        card = view.card
        shown = self.query_one("#debt-view", Static)
        if card.debt is None:
            shown.update(Text(card.debt_error or _("The debt cannot be computed"), style="red"))
            return
        debt = card.debt
        grid = Table.grid(padding=(0, 3))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(_("Invoiced"), fmt.money(debt.invoiced, debt.currency_code))
        grid.add_row(_("Shipped"), fmt.money(debt.shipped, debt.currency_code))
        grid.add_row(_("Paid"), fmt.money(debt.paid, debt.currency_code))
        if debt.is_advance:  # never a negative debt
            grid.add_row(
                Text(_("Advance"), style="bold"),
                Text(fmt.money(-debt.debt, debt.currency_code), style="bold"),
            )
            notes = Text(_("The client paid in advance."), style="dim")
        else:
            grid.add_row(
                Text(_("Debt"), style="bold"),
                Text(
                    fmt.money(debt.debt, debt.currency_code),
                    style=cells.ALERT + " bold" if debt.is_receivable else "bold",
                ),
            )
            notes = Text(
                _("Debt = the larger of invoiced and shipped, minus paid, in {currency}.").format(
                    currency=debt.currency_code
                ),
                style="dim",
            )
        shown.update(Group(grid, Text(""), notes))
