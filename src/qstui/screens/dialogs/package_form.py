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
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.services.mailing.package_edit import NAME_MAX, SUBJECT_MAX
from qstui.services.mailing.sending import PLACEHOLDERS
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField


class PackageEditor(Localized, ServiceCalls, ModalScreen[Any]):
    """``submit(ctx, values) -> result``: values ``name``, ``subject``, ``body``; the
    dialog closes with the result (None: cancelled). ``reload(ctx)`` runs in a worker
    when the user takes someone else's newer save as the base of theirs (what was typed
    stays in the fields)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="package_editor.cancel"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="package_editor.save"),
    ]
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
        super().__init__()
        self.heading = heading
        self.submit = submit
        self.reload = reload
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

    def on_input_submitted(self, event: TextField.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.query_one("#form-error", Static).update("")
        self.call_service(
            self.submit, self.values(), then=self.dismiss, on_error=self._failed, group="pk-save"
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _failed(self, error: BaseException) -> None:
        line = self.query_one("#form-error", Static)
        self.route_error(
            error,
            fields=lambda errors: line.update(
                "\n".join(f"{self._label(name)}: {msg}" for name, msg in errors.items())
            ),
            conflict=self._conflict,
            message=line.update,
        )

    @staticmethod
    def _label(name: str) -> str:
        return {"name": _("Title"), "subject": _("Subject")}.get(name) or _("Text")

    def _reload(self) -> None:
        if self.reload is not None:
            self.call_service(self.reload, then=self._reloaded, group="pk-reload")

    def _reloaded(self, _result: Any) -> None:
        self.query_one("#form-error", Static).update("")
        self.notify(_("The saved package is loaded: ctrl+s saves what you typed over it"))

    def _conflict(self, error: Conflict) -> None:
        typed = self.values()
        self.show_conflict(
            error,
            [
                (_("Title"), typed["name"]),
                (_("Subject"), typed["subject"]),
                (_("Text"), typed["body"]),
            ],
            self._reload if self.reload is not None else None,
        )
        self.query_one("#form-error", Static).update(str(error))
