"""Pick a deal of any client the user sees: type a client's name, INN or phone, choose the
client, then one of its open deals. Returns a ``Candidate`` (or None on Esc). Used by the
bank statement import for a payment no client was found for."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain import formatting as fmt
from qstui.domain.bank import Candidate
from qstui.domain.clients import ClientFilter, ClientRow
from qstui.domain.deals import DealFilter, DealRow
from qstui.domain.enums import DealStatus
from qstui.i18n import N_, _
from qstui.services.clients.companies import list_clients
from qstui.services.deals.listing import list_deals
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField

HITS = 15
DEALS = 50


def _clients(ctx: Any, typed: str) -> list[ClientRow]:
    return list_clients(ctx, ClientFilter(text=typed), limit=HITS).rows


def _open_deals(ctx: Any, company_id: int) -> list[DealRow]:
    return list_deals(
        ctx, DealFilter(company_id=company_id, status=DealStatus.OPEN), limit=DEALS
    ).rows


class PickDealDialog(Localized, ServiceCalls, ModalScreen[Candidate | None]):
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="pick_deal.cancel"),
        Binding("down", "to_list", N_("To the list"), show=False, id="pick_deal.to_list"),
    ]
    DEFAULT_CSS = """
    PickDealDialog { align: center middle; }
    PickDealDialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    PickDealDialog .dialog-title { text-style: bold; }
    PickDealDialog OptionList { height: auto; max-height: 16; }
    PickDealDialog .dialog-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title
        self.clients: list[ClientRow] = []
        self.deals: list[DealRow] = []
        self.client: ClientRow | None = None  # chosen: its deals are listed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield TextField(placeholder=_("Client: name, INN or phone"), id="pick-deal-find")
            yield OptionList(id="pick-deal-hits")
            yield Static(
                _("Enter — choose the client, then its deal · Esc — cancel"), classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#pick-deal-find", Input).focus()

    def _list(self) -> OptionList:
        return self.query_one("#pick-deal-hits", OptionList)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        typed = event.value.strip()
        self.client = None
        if len(typed) < 2:
            self._list().clear_options()
            return
        self.call_service(_clients, typed, then=self._found, group="pick-deal-search")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_to_list()

    def action_to_list(self) -> None:
        listed = self._list()
        if listed.option_count:
            listed.focus()
            if listed.highlighted is None:
                listed.highlighted = 0

    def _found(self, rows: list[ClientRow]) -> None:
        if self.client is not None:
            return
        self.clients = rows
        listed = self._list()
        listed.clear_options()
        listed.add_options(
            Option(f"{row.name}" + (f" · {_('INN')} {row.inn}" if row.inn else ""), id=str(n))
            for n, row in enumerate(rows)
        )
        if not rows:
            listed.add_option(Option(_("No client matches"), disabled=True))

    def _show_deals(self, rows: list[DealRow]) -> None:
        self.deals = rows
        listed = self._list()
        listed.clear_options()
        listed.add_options(
            Option(f"{row.title} · {fmt.money(row.amount, row.currency_code)}", id=str(n))
            for n, row in enumerate(rows)
        )
        if not rows:
            listed.add_option(Option(_("The client has no open deals"), disabled=True))
        listed.focus()
        listed.highlighted = 0 if rows else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        n = int(event.option.id)
        if self.client is None:
            self.client = self.clients[n]
            self.call_service(_open_deals, self.client.id, then=self._show_deals)
            return
        deal = self.deals[n]
        self.dismiss(Candidate(deal.company_id, deal.company_name, deal.id, deal.title))

    def action_cancel(self) -> None:
        self.dismiss(None)
