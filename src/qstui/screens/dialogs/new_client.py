"""Quick registration of a client (C3): name, INN, KPP, phone, e-mail, city (and the
manager, for users who may give clients to others).

Saving runs the duplicate check of the service first: when it finds companies that may
be the same client (same INN, name, phone or e-mail) they are listed in
``DuplicatesDialog`` — «Save anyway» saves with ``force``, «Back to editing» returns to
the form with everything typed. Validation messages appear under their fields. The
dialog closes with the new company's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from qstui.domain.clients import CompanyInput, DuplicateHit, DuplicateReason, DuplicatesFound
from qstui.i18n import N_, _
from qstui.services.clients.companies import create_company
from qstui.ui.localized import Localized
from qstui.widgets.form import FieldSpec, FormDialog, FormField, field_values

REASONS = {
    DuplicateReason.INN: N_("same INN"),
    DuplicateReason.NAME: N_("same name"),
    DuplicateReason.PHONE: N_("same phone"),
    DuplicateReason.EMAIL: N_("same e-mail"),
}


def create_from_form(ctx: Any, values: dict[str, Any], force: bool = False) -> int:
    """The form's values → ``create_company`` (runs in a worker)."""
    manager = values.get("manager_id")
    data = CompanyInput(
        name=values.get("name") or "",
        inn=values.get("inn") or None,
        kpp=values.get("kpp") or None,
        phone=values.get("phone") or None,
        email=values.get("email") or None,
        city=values.get("city") or None,
        manager_id=manager if isinstance(manager, int) else None,
    )
    return create_company(ctx, data, force=force)


def hits_table(hits: Sequence[DuplicateHit]) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column(_("Company"), ratio=3)
    table.add_column(_("Why"), ratio=2)
    table.add_column(_("Manager"), ratio=2)
    for hit in hits:
        table.add_row(hit.name, _(REASONS[hit.reason]), hit.manager or _("nobody"))
    return table


class DuplicatesDialog(Localized, ModalScreen[bool]):
    """The companies that may be the same client; True: save anyway."""

    BINDINGS = [
        Binding("escape,b", "answer(False)", N_("Back to editing"), id="duplicates.back"),
        Binding("y", "answer(True)", N_("Save anyway"), id="duplicates.save"),
    ]
    DEFAULT_CSS = """
    DuplicatesDialog { align: center middle; }
    DuplicatesDialog .dialog-box { width: 90; max-width: 100%; max-height: 100%;
        border: thick $warning; padding: 0 1; }
    DuplicatesDialog #dup-hits { height: auto; max-height: 12; }
    DuplicatesDialog .dialog-buttons { margin-top: 0; }
    DuplicatesDialog .dialog-hint { margin-top: 0; }
    """

    def __init__(self, hits: Sequence[DuplicateHit]) -> None:
        super().__init__()
        self.hits = list(hits)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(_("Possible duplicates"), classes="dialog-title")
            yield Static(_("This client may be registered already:"))
            with VerticalScroll(id="dup-hits"):
                yield Static(hits_table(self.hits), id="dup-table")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save anyway"), variant="warning", id="anyway", compact=True)
                yield Button(_("Back to editing"), variant="primary", id="back", compact=True)
            yield Static(_("y — save anyway · Esc — back to editing"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "anyway")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class NewClientDialog(FormDialog):
    """The quick registration form; closes with the new company's id. One line per
    field (label, input), the message of a bad field under it, so that the whole form
    and its buttons fit a 24-line terminal."""

    DEFAULT_CSS = """
    NewClientDialog FormField {
        layout: grid; grid-size: 2; grid-columns: 16 1fr; grid-rows: 1; height: auto;
    }
    NewClientDialog FormField Label { color: $text-muted; }
    NewClientDialog FormField .field-error { column-span: 2; display: none; padding-left: 16; }
    NewClientDialog FormField.invalid .field-error { display: block; }
    NewClientDialog FormField Input { background: $boost; }
    NewClientDialog .dialog-buttons { margin-top: 0; }
    NewClientDialog .dialog-hint { color: $text-muted; }
    """

    def __init__(self, managers: Sequence[tuple[int, str]] | None = None, me: Any = None) -> None:
        specs = [
            FieldSpec("name", _("Company name"), max_length=250),
            FieldSpec("inn", _("INN"), max_length=12, placeholder=_("10 or 12 digits")),
            FieldSpec("kpp", _("KPP"), max_length=9),
            FieldSpec("phone", _("Phone"), max_length=40),
            FieldSpec("email", _("E-mail"), max_length=200),
            FieldSpec("city", _("City"), max_length=100),
        ]
        if managers:
            known = {ident for ident, _name in managers}
            specs.append(
                FieldSpec(
                    "manager_id",
                    _("Manager"),
                    value=me if me in known else "",
                    choices=[(name, ident) for ident, name in managers],
                    allow_blank=me not in known,
                )
            )
        super().__init__(_("New client"), specs, create_from_form, save_label=_("Save"))

    def on_mount(self) -> None:
        for widget in self.query("Input, Select, Button"):
            widget.compact = True  # type: ignore[attr-defined]
        box = self.query_one(Vertical)
        box.mount(
            Static(_("ctrl+s — save · Esc — cancel"), classes="dialog-hint"),
        )
        super().on_mount()

    def action_save(self, force: bool = False) -> None:  # type: ignore[override]
        values = field_values(self)
        self.query_one("#form-error", Static).update("")
        for f in self.query(FormField):
            f.set_error(None)
        self.call_service(
            create_from_form,
            values,
            force,
            then=self.dismiss,
            on_error=self._failed,
            group="form-save",
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, DuplicatesFound):
            self.app.push_screen(DuplicatesDialog(error.hits), self._decided)
            return
        super()._failed(error)

    def _decided(self, anyway: bool | None) -> None:
        if anyway:
            self.action_save(force=True)
        else:
            self.query_one("#input-name").focus()
