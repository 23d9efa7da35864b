"""The product picker: type words of a product's name or SKU, Enter takes the
highlighted product (a deal's product line, an interaction's product of interest)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain import formatting as fmt
from qstui.i18n import N_, _
from qstui.services.deals.choices import ProductChoice, product_choices
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField


class ProductPicker(Localized, ServiceCalls, ModalScreen[ProductChoice | None]):
    """Type words of a product's name or SKU; Enter takes the highlighted product."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="product_picker.cancel"),
        Binding("down", "to_list", N_("To the list"), show=False, id="product_picker.to_list"),
    ]
    DEFAULT_CSS = """
    ProductPicker { align: center middle; }
    ProductPicker > Vertical { width: 90; max-width: 100%; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1; }
    ProductPicker OptionList { height: 1fr; }
    ProductPicker .form-title { text-style: bold; }
    """

    def __init__(self, deal_currency: str = "RUB") -> None:
        super().__init__()
        self.deal_currency = deal_currency
        self.found: list[ProductChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Choose a product"), classes="form-title")
            yield TextField(placeholder=_("Words of the name or the SKU"), id="product-search")
            yield OptionList(id="product-list")
            yield Static(_("Enter — choose · Esc — cancel"), classes="muted")

    def on_mount(self) -> None:
        self.query_one("#product-search", Input).focus()
        self._search("")

    def _search(self, text: str) -> None:
        self.call_service(
            product_choices,
            text,
            50,
            then=self._show,
            loading=self.query_one("#product-list"),
            group="product-search",
        )

    def _show(self, found: list[ProductChoice]) -> None:
        self.found = found
        options = self.query_one("#product-list", OptionList)
        options.clear_options()
        for p in found:
            sku = f" [{p.sku}]" if p.sku else ""
            price = fmt.money(p.price, p.currency_code)
            options.add_option(Option(f"{p.name}{sku} — {price}", id=str(p.id)))
        if found:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#product-list", OptionList)
        index = options.highlighted
        if index is None and self.found:
            index = 0
        if index is not None and index < len(self.found):
            self.dismiss(self.found[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.found):
            self.dismiss(self.found[event.option_index])

    def action_to_list(self) -> None:
        self.query_one("#product-list", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
