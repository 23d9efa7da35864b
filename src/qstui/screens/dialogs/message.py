"""Modal dialogs every screen uses: an error, a yes/no confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from qstui.i18n import N_, _
from qstui.ui.localized import Localized


class ErrorDialog(Localized, ModalScreen[None]):
    """One error, in the user's language; Enter or Esc closes it."""

    BINDINGS = [
        Binding("escape,enter", "dismiss_dialog", N_("Close"), show=False, id="error.close")
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.title_text = title or _("Error")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box error-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, id="error-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Localized, ModalScreen[bool]):
    """A question with Yes/No; returns True for yes. ``y``/``n`` answer it too."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", N_("No"), show=False, id="confirm.no"),
        Binding("y", "answer(True)", N_("Yes"), show=False, id="confirm.yes"),
    ]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes = yes or _("Yes")
        self.no = no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.question, id="question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
