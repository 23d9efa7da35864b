"""Пакеты (F5, P1): the packages on the left, the chosen one's subject, text and
materials beside them. A package is sent from a client card (ctrl+y, or «Send a
package» in the command palette); ``qstui package send`` sends to a client group."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.services.mailing import packages as P


class PackagesScreen(ModuleScreen):
    MODULE = "packages"
    AUTO_FOCUS = "#pk-list"
    BINDINGS = [
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="packages.refresh"),
    ]
    DEFAULT_CSS = """
    PackagesScreen #pk-list { width: 40; height: 1fr; }
    PackagesScreen #pk-scroll { width: 1fr; height: 1fr; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.packages: list[P.PackageInfo] = []

    def compose_content(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(id="pk-list")
            with VerticalScroll(id="pk-scroll"):
                yield Static("", id="pk-detail")

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(P.list_packages, then=self._got_packages, group="pk-list")

    def _got_packages(self, packages: list[P.PackageInfo]) -> None:
        self.packages = packages
        options = self.query_one("#pk-list", OptionList)
        options.clear_options()
        for p in packages:
            options.add_option(Option(Text(p.name), id=str(p.id)))
        if packages:
            options.highlighted = 0
        else:
            self.query_one("#pk-detail", Static).update(_("No packages"))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        if 0 <= index < len(self.packages):
            self.call_service(
                P.get_package, self.packages[index].id, then=self._got_detail, group="pk-detail"
            )

    def _got_detail(self, detail: P.PackageDetail) -> None:
        lines = [detail.name, _("Subject: {subject}").format(subject=detail.subject), ""]
        lines += [detail.body, "", _("Materials") + ":"]
        lines += [f"  📎 {m.title} — {m.file_name} ({m.size_bytes} B)" for m in detail.materials]
        self.query_one("#pk-detail", Static).update(Text("\n".join(lines)))
