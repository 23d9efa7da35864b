"""F1: every key of the current screen, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from qstui.i18n import N_, _
from qstui.ui import keys
from qstui.ui.localized import Localized


def key_table(screen: Screen) -> Table:
    """The keys of ``screen``: its own and the app's first, then those of the focused
    widget (cursor keys and the like)."""
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column(_("Key"), no_wrap=True)
    table.add_column(_("Action"))
    own, widgets = [], []
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.description:
            (own if active.node in (screen, screen.app) else widgets).append(binding)
    # one row per binding: a binding with several keys (``1`` and ``alt+1``) lists them
    rows: dict[tuple[object, ...], list[str]] = {}
    for binding in own + widgets:
        if binding.key.startswith("super+") or keys.is_twin(binding.key):
            # super+…: the macOS command key, which terminals do not pass on; the
            # Russian-layout twin of a letter is not a key of its own
            continue
        shown = screen.app.get_key_display(binding)
        if any(shown in listed for listed in rows.values()):
            continue
        row = (binding.id or binding.action, binding.description)
        rows.setdefault(row, []).append(shown)
    for (_id, description), shown_keys in rows.items():
        table.add_row(", ".join(shown_keys), _(description))
    return table


class HelpScreen(Localized, ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", N_("Close"), show=False, id="help.close")]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Static(_("Keys of this screen"), classes="dialog-title")
            with VerticalScroll():
                yield Static(key_table(self.target), id="help-keys")
            yield Static(_("Esc — close"), classes="dialog-hint")
