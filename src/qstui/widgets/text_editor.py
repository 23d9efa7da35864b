"""A modal editor of a record with a long text (a knowledge-base article, a package's
letter): short fields on a line each, the text in a text area taking the rest of the
screen. ctrl+s saves through the given service call in a worker; validation messages
show under the fields, someone else's newer save the conflict dialog — the dialog stays
open with what was typed, and ``reload(ctx)`` (in a worker) takes that save as the base
when the user asks for it. Subclasses compose the fields and say what they hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Static

from qstui.domain.errors import Conflict
from qstui.i18n import _
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField


class TextEditorDialog(Localized, ServiceCalls, ModalScreen[Any]):
    """``submit(ctx, values) -> result``; the dialog closes with the result (None:
    cancelled). Needs ``#form-error``, a ``Static`` for the messages."""

    GROUP = "editor"  # the workers' group

    def __init__(
        self, submit: Callable[[Any, dict[str, Any]], Any], reload: Callable[[Any], Any] | None
    ) -> None:
        super().__init__()
        self.submit = submit
        self.reload = reload

    # --- what a subclass says ---------------------------------------------------------

    def values(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def field_labels(self) -> dict[str, str]:
        """Field name → its label (a message under an unknown name is about the text)."""
        return {}

    def typed(self) -> list[tuple[str, str]]:  # pragma: no cover - abstract
        """What the user typed, as the conflict dialog shows it."""
        raise NotImplementedError

    def reloaded_message(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- the editing ----------------------------------------------------------------

    def on_input_submitted(self, event: TextField.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.query_one("#form-error", Static).update("")
        self.call_service(
            self.submit,
            self.values(),
            then=self.dismiss,
            on_error=self._failed,
            group=f"{self.GROUP}-save",
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _failed(self, error: BaseException) -> None:
        line = self.query_one("#form-error", Static)
        labels = self.field_labels()
        self.route_error(
            error,
            fields=lambda errors: line.update(
                "\n".join(f"{labels.get(name) or _('Text')}: {msg}" for name, msg in errors.items())
            ),
            conflict=self._conflict,
            message=line.update,
        )

    def _reload(self) -> None:
        if self.reload is not None:
            self.call_service(self.reload, then=self._reloaded, group=f"{self.GROUP}-reload")

    def _reloaded(self, _result: Any) -> None:
        self.query_one("#form-error", Static).update("")
        self.notify(self.reloaded_message())

    def _conflict(self, error: Conflict) -> None:
        self.show_conflict(error, self.typed(), self._reload if self.reload is not None else None)
        self.query_one("#form-error", Static).update(str(error))
