"""Writing a package (P1): name and subject on a line each, the letter's text in a text
area that takes the rest of the screen (fits 80×24), the placeholders named under it.
ctrl+s saves through the given service call in a worker; a validation message shows
under the fields, someone else's newer save the conflict dialog — the dialog stays open
with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static, TextArea

from qstui.i18n import N_, _
from qstui.services.mailing.package_edit import NAME_MAX, SUBJECT_MAX
from qstui.services.mailing.sending import PLACEHOLDERS
from qstui.widgets.text_editor import TextEditorDialog
from qstui.widgets.text_field import TextField


class PackageEditor(TextEditorDialog):
    """``submit(ctx, values) -> result``: values ``name``, ``subject``, ``body``; the
    dialog closes with the result (None: cancelled). ``reload(ctx)`` runs in a worker
    when the user takes someone else's newer save as the base of theirs (what was typed
    stays in the fields)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="package_editor.cancel"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="package_editor.save"),
    ]
    GROUP = "pk"
    DEFAULT_CSS = """
    PackageEditor { align: center middle; }
    PackageEditor > Vertical { width: 100; max-width: 100%; height: 100%; max-height: 32;
        border: thick $primary; background: $surface; padding: 0 1; }
    PackageEditor .form-title { text-style: bold; }
    PackageEditor .pk-row { height: auto; }
    PackageEditor .pk-row Label { width: 10; color: $text-muted; }
    PackageEditor .pk-row TextField { width: 1fr; }
    PackageEditor #input-body { height: 1fr; }
    PackageEditor #form-error { color: $error; height: auto; }
    PackageEditor .form-hint { color: $text-muted; height: auto; }
    """

    def __init__(
        self,
        heading: str,
        submit: Callable[[Any, dict[str, Any]], Any],
        name: str = "",
        subject: str = "",
        body: str = "",
        reload: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(submit, reload)
        self.heading = heading
        self.start = {"name": name, "subject": subject, "body": body}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.heading, classes="form-title")
            with Horizontal(classes="pk-row"):
                yield Label(_("Title"))
                yield TextField(
                    self.start["name"], max_length=NAME_MAX, id="input-name", compact=True
                )
            with Horizontal(classes="pk-row"):
                yield Label(_("Subject"))
                yield TextField(
                    self.start["subject"], max_length=SUBJECT_MAX, id="input-subject", compact=True
                )
            yield TextArea(self.start["body"], id="input-body", compact=True)
            yield Static("", id="form-error")
            yield Static(
                _("Placeholders: {names} · ctrl+s — save · Esc — cancel").format(
                    names=" ".join(PLACEHOLDERS)
                ),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#input-name", TextField).focus()

    def values(self) -> dict[str, Any]:
        return {
            "name": self.query_one("#input-name", TextField).value,
            "subject": self.query_one("#input-subject", TextField).value,
            "body": self.query_one("#input-body", TextArea).text,
        }

    def field_labels(self) -> dict[str, str]:
        return {"name": _("Title"), "subject": _("Subject")}

    def typed(self) -> list[tuple[str, str]]:
        typed = self.values()
        return [
            (_("Title"), typed["name"]),
            (_("Subject"), typed["subject"]),
            (_("Text"), typed["body"]),
        ]

    def reloaded_message(self) -> str:
        return _("The saved package is loaded: ctrl+s saves what you typed over it")
