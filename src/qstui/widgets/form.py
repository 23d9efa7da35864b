"""Forms: labelled inputs with their validation message right at the field.

A ``FormField`` is a label, an input and a line for its error. ``FormDialog`` is a
modal form that hands the typed values to a service call (in a worker) and shows a
``ValidationFailed`` message under each bad field, or closes with the service's result.
Nothing typed is lost on an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField


@dataclass
class FieldSpec:
    """One field of a form. ``choices``: (label, value) pairs make it a drop-down (its
    ``placeholder`` is shown while nothing is chosen); ``multiline`` a text area;
    ``password`` hides the input; ``read_only`` shows a value nobody may change here."""

    name: str
    label: str  # already translated
    value: Any = ""
    choices: Sequence[tuple[str, Any]] | None = None
    multiline: bool = False
    password: bool = False
    placeholder: str = ""
    max_length: int = 0
    allow_blank: bool = True
    read_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class FormField(Vertical):
    """Label, input, and the error message of this field (empty when valid)."""

    DEFAULT_CSS = """
    FormField { height: auto; margin-bottom: 0; }
    FormField .field-error { color: $error; height: auto; }
    FormField TextArea { height: 5; }
    """

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(id=f"field-{spec.name}")
        self.spec = spec

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Label(spec.label)
        if spec.choices is not None:
            yield Select(
                [(label, value) for label, value in spec.choices],
                value=spec.value if spec.value not in ("", None) else Select.NULL,
                allow_blank=spec.allow_blank,
                id=f"input-{spec.name}",
                disabled=spec.read_only,
                **({"prompt": spec.placeholder} if spec.placeholder else {}),
            )
        elif spec.multiline:
            yield TextArea(str(spec.value or ""), id=f"input-{spec.name}", disabled=spec.read_only)
        else:
            yield TextField(
                value="" if spec.value is None else str(spec.value),
                placeholder=spec.placeholder,
                password=spec.password,
                max_length=spec.max_length,
                id=f"input-{spec.name}",
                disabled=spec.read_only,
            )
        yield Static("", classes="field-error")

    @property
    def input(self) -> Widget:
        return self.query_one(f"#input-{self.spec.name}")

    @property
    def value(self) -> Any:
        widget = self.input
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value  # type: ignore[attr-defined]

    def set_error(self, message: str | None) -> None:
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "invalid")


def field_values(root: Widget) -> dict[str, Any]:
    return {f.spec.name: f.value for f in root.query(FormField)}


def show_errors(root: Widget, errors: dict[str, str]) -> str:
    """Put each message under its field; returns the messages that have no field."""
    fields = {f.spec.name: f for f in root.query(FormField)}
    for name, f in fields.items():
        f.set_error(errors.get(name))
    orphans = [f"{name}: {msg}" for name, msg in errors.items() if name not in fields]
    for name in errors:
        if name in fields:
            fields[name].input.focus()
            break
    return "\n".join(orphans)


class SaveOrCancel:
    """The buttons of a modal dialog: «Save» (id ``save``) runs ``action_save``, any
    other button ``action_cancel``, which (like Esc) closes the dialog with None."""

    def action_save(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)  # type: ignore[attr-defined]


class FormDialog(SaveOrCancel, Localized, ServiceCalls, ModalScreen[Any]):
    """A modal form. ``submit(ctx, values) -> result`` runs in a worker; the dialog
    closes with its result, or shows the validation messages and stays open."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="form.save"),
    ]
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    FormDialog VerticalScroll { height: auto; max-height: 70vh; }
    FormDialog .form-title { text-style: bold; }
    FormDialog .form-error { color: $error; height: auto; }
    FormDialog .dialog-buttons { height: auto; align-horizontal: right; }
    FormDialog .dialog-buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[FieldSpec],
        submit: Callable[[Any, dict[str, Any]], Any],
        save_label: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.specs = list(fields)
        self.submit = submit
        self.save_label = save_label or _("Save")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title")
            with VerticalScroll():
                for spec in self.specs:
                    yield FormField(spec)
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.save_label, variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        fields = list(self.query(FormField))
        if fields:
            fields[0].input.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        values = field_values(self)
        self.query_one("#form-error", Static).update("")
        self.call_service(
            self.submit, values, then=self.dismiss, on_error=self._failed, group="form-save"
        )

    def _failed(self, error: BaseException) -> None:
        line = self.query_one("#form-error", Static)
        self.route_error(
            error,
            fields=lambda errors: line.update(show_errors(self, errors)),
            conflict=self.on_conflict(),
            message=line.update,
        )

    def on_conflict(self) -> Callable[[Conflict], None] | None:
        """What this form does with a conflicting save (None: the error dialog)."""
        return None


class CompactFormDialog(FormDialog):
    """A form of one line per field, the label beside its input and the keys' hint under
    the buttons: a long form (a new user, a reference-book value) fits 80×24."""

    DEFAULT_CSS = """
    CompactFormDialog FormField {
        layout: grid; grid-size: 2; grid-columns: 22 1fr; grid-rows: 1; height: auto;
    }
    CompactFormDialog FormField Label { color: $text-muted; }
    CompactFormDialog FormField .field-error {
        column-span: 2; display: none; padding-left: 22;
    }
    CompactFormDialog FormField.invalid .field-error { display: block; }
    CompactFormDialog FormField Input { background: $boost; }
    CompactFormDialog .dialog-hint { color: $text-muted; }
    """

    def on_mount(self) -> None:
        for widget in self.query("Input, Select, Button"):
            widget.compact = True  # type: ignore[attr-defined]
        self.query_one(Vertical).mount(
            Static(_("ctrl+s — save · Esc — cancel"), classes="dialog-hint")
        )
        super().on_mount()
