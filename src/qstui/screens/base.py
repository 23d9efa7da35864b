"""The main-window frame every module screen shares: header, the module panel on the
left, the screen's content, footer. (What screens, dialogs and widgets share — service
calls in workers, translated keys — is in ``qstui.ui``.)"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header

from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.key_footer import KeyFooter
from qstui.widgets.module_panel import ModulePanel


class ModuleScreen(Localized, ServiceCalls, Screen[None]):
    """A main-window screen: header, the module panel on the left, footer.

    Subclasses implement ``compose_content`` and set ``MODULE`` to their registry name.
    """

    MODULE = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="frame"):
            yield ModulePanel(current=self.MODULE, id="modules")
            with Vertical(id="content"):
                yield from self.compose_content()
        yield KeyFooter()

    def compose_content(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def module_panel(self) -> ModulePanel:
        return self.query_one("#modules", ModulePanel)

    def on_resize(self) -> None:
        self.module_panel.fit()  # collapsed below AUTO_COLLAPSE columns

    def on_screen_resume(self) -> None:  # the terminal may have been resized meanwhile
        self.module_panel.fit()
