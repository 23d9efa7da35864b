"""Tab «Доп. поля» (Fields) of the deal card: the custom fields admins defined for deals,
edited in place as on the client card — ctrl+s saves the changed ones under the deal's
version, all or none; a bad value gets its message at its field, and a conflicting save
offers the saved deal with what was typed kept on top."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from qstui.domain.deals import DealView
from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.screens.client_tabs.custom import CustomFieldsForm
from qstui.screens.deal_tabs.base import DealTab
from qstui.services.deals.deal import set_custom_values
from qstui.widgets.form import show_errors


class FieldsTab(DealTab):
    TITLE = N_("Fields")
    KEYS = (Binding("ctrl+s", "save", N_("Save"), id="save"),)
    DEFAULT_CSS = """
    FieldsTab #fields-scroll { height: 1fr; }
    FieldsTab .hint { color: $text-muted; height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._saving = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="fields-scroll") as scroll:
            scroll.can_focus = False  # Tab goes straight to the fields
            yield Static("", id="fields-title", classes="tab-title")
            yield CustomFieldsForm(id="fields-form")
            yield Static(_("Tab — to the fields · ctrl+s — save · Esc — leave the field"),
                         classes="hint")  # fmt: skip

    @property
    def form(self) -> CustomFieldsForm:
        return self.query_one(CustomFieldsForm)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            card = self.card
            in_use = card is not None and any(f.is_active for f in card.custom_fields)
            return self.can_edit() and in_use
        return True

    def forget(self) -> None:
        """The card is reopened (``ui.kept_screens``): nothing typed stays."""
        self.form.forget()
        self._saving = False

    def fill(self, view: DealView) -> None:
        card = view.card
        self.form.fill(card.custom_fields, self.can_edit())
        self.query_one("#fields-title", Static).update(
            _("Custom fields: {n}").format(n=len(card.custom_fields))
            + ("" if card.custom_fields else "  " + _("(none defined)"))
        )

    def holds(self, widget: Widget | None) -> bool:
        """Whether ``widget`` is one of the form's."""
        return widget is not None and self.form in widget.ancestors

    @property
    def dirty(self) -> bool:
        return bool(self.card is not None and self.form.dirty())

    def action_save(self) -> None:
        card = self.card
        if card is None or self._saving:
            return
        changes = self.form.dirty()
        self.form_errors({})
        if not changes:
            self.notify(_("Nothing to save"))
            return
        self._saving = True
        self.call_service(
            set_custom_values,
            card.id,
            card.version,
            self.form.by_id(changes),
            then=lambda _version: self._saved(changes),
            on_error=lambda error: self._failed(error, changes),
            group="deal-fields-save",
        )

    def form_errors(self, errors: dict[str, str]) -> None:
        rest = show_errors(self.form, errors)
        if rest:
            self.notify(rest, severity="error")

    def _saved(self, changes: dict[str, Any]) -> None:
        self._saving = False
        self.form.saved(changes)
        self.post_message(self.Changed(_("Custom fields saved")))

    def _failed(self, error: BaseException, changes: dict[str, Any]) -> None:
        self._saving = False

        def fields(errors: dict[str, str]) -> None:
            self.post_message(self.Activate(self))
            self.form_errors(errors)

        def conflict(error: Conflict) -> None:
            self.show_conflict(
                error, self.form.labelled(changes), lambda: self.post_message(self.Changed())
            )

        self.route_error(error, fields=fields, conflict=conflict)
