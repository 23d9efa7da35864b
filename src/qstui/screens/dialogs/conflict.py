"""The conflict dialog (ARCHITECTURE rule 8): someone saved the same record meanwhile.

It says who and when (the ``Conflict`` message), lists what the user typed so it can be
copied (a read-only text area: select, ``ctrl+c``), and offers «Reload» (take the saved
record, keep what was typed) or «Keep editing». The form that raised it keeps its values
either way: the dialog never discards anything. Reused by every card.

    def decided(choice: str | None) -> None:
        if choice == ConflictDialog.RELOAD: ...

    self.app.push_screen(ConflictDialog(error, [(_("City"), "Тверь")]), decided)
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.ui.localized import Localized


def typed_text(typed: Sequence[tuple[str, str]]) -> str:
    """``label: value`` lines (a multi-line value keeps its lines, indented)."""
    lines = []
    for label, value in typed:
        first, *rest = (value or "").splitlines() or [""]
        lines.append(f"{label}: {first}")
        lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)


class ConflictDialog(Localized, ModalScreen[str]):
    """Dismisses with ``RELOAD`` or ``KEEP`` (Esc is «Keep editing»)."""

    RELOAD = "reload"
    KEEP = "keep"

    BINDINGS = [
        Binding("escape", "choose('keep')", N_("Keep editing"), id="conflict.keep"),
        Binding("ctrl+r", "choose('reload')", N_("Reload"), id="conflict.reload"),
    ]
    DEFAULT_CSS = """
    ConflictDialog { align: center middle; }
    ConflictDialog > Vertical { width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ConflictDialog .dialog-title { text-style: bold; color: $warning; }
    ConflictDialog #conflict-message { height: auto; margin-bottom: 1; }
    ConflictDialog #conflict-typed { height: auto; max-height: 10; min-height: 3; }
    ConflictDialog .dialog-hint { color: $text-muted; height: auto; }
    ConflictDialog .dialog-buttons { height: auto; align-horizontal: right; }
    ConflictDialog .dialog-buttons Button { margin-left: 2; }
    """

    def __init__(
        self, error: Conflict | str, typed: Sequence[tuple[str, str]] = (), title: str | None = None
    ) -> None:
        super().__init__()
        self.message = str(error)
        self.typed = list(typed)
        self.title_text = title or _("Someone else saved this record")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, id="conflict-message")
            if self.typed:
                yield Static(_("What you typed (kept in the form; select and copy):"))
                yield TextArea(
                    typed_text(self.typed),
                    read_only=True,
                    soft_wrap=True,
                    show_line_numbers=False,
                    id="conflict-typed",
                )
            yield Static(
                _(
                    "«Reload» shows the saved record and keeps what you typed in the form; "
                    "save again to apply it."
                ),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Reload"), variant="warning", id="reload")
                yield Button(_("Keep editing"), variant="primary", id="keep")

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.RELOAD if event.button.id == "reload" else self.KEEP)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
