"""The extended filter of the client list (C1) over every field of a company, with the
user's saved filters: pick one (Enter in the list), save the current fields under a
name (ctrl+t), delete one (Delete in the list).

The choices (regions, managers, groups…) are loaded by ``load_choices`` in a worker
before the dialog opens; the dialog returns the ``ClientFilter`` to apply, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from qstui.domain.clients import ClientFilter, SavedFilterInfo
from qstui.domain.enums import ClientKind
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _
from qstui.services.clients.companies import reference_lists
from qstui.services.clients.custom_fields import list_fields
from qstui.services.clients.filters import delete_filter, list_filters, save_filter
from qstui.services.clients.groups import list_groups
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.text_field import TextField

Choices = list[tuple[int, str]]

KIND_LABELS = {
    ClientKind.CLIENT: N_("client"),
    ClientKind.PROSPECT: N_("prospect"),
    ClientKind.PARTNER: N_("partner"),
    ClientKind.SUPPLIER: N_("supplier"),
}


@dataclass(frozen=True)
class FilterChoices:
    """What the filter's drop-downs offer, and the user's saved filters."""

    regions: Choices = field(default_factory=list)
    industries: Choices = field(default_factory=list)
    sources: Choices = field(default_factory=list)
    managers: Choices = field(default_factory=list)
    groups: Choices = field(default_factory=list)
    fields: Choices = field(default_factory=list)  # custom fields of companies
    saved: tuple[SavedFilterInfo, ...] = ()

    def name_of(self, kind: str, ident: int | None) -> str:
        for key, label in getattr(self, kind):
            if key == ident:
                return str(label)
        return f"#{ident}"


def load_choices(ctx: Any) -> FilterChoices:
    """All the choices at once (runs in a worker thread)."""
    refs = reference_lists(ctx)
    return FilterChoices(
        regions=refs["regions"],
        industries=refs["industries"],
        sources=refs["sources"],
        managers=refs["managers"],
        groups=[(g.id, g.name) for g in list_groups(ctx)],
        fields=[(f.id, f.title) for f in list_fields(ctx)],
        saved=tuple(list_filters(ctx)),
    )


def summarize(flt: ClientFilter, choices: FilterChoices | None) -> str:
    """The filter in one line for the status bar: «city: Моск, region: Москва»."""
    c = choices or FilterChoices()
    parts: list[str] = []
    for key, title in (
        ("name", N_("company")),
        ("inn", N_("INN")),
        ("phone", N_("phone")),
        ("email", N_("e-mail")),
        ("city", N_("city")),
        ("contact", N_("person")),
    ):
        value = getattr(flt, key)
        if value:
            parts.append(f"{_(title)}: «{value}»")
    for key, kind, title in (
        ("manager_id", "managers", N_("manager")),
        ("group_id", "groups", N_("group")),
        ("region_id", "regions", N_("region")),
        ("industry_id", "industries", N_("industry")),
        ("source_id", "sources", N_("source")),
    ):
        value = getattr(flt, key)
        if value is not None:
            parts.append(f"{_(title)}: {c.name_of(kind, value)}")
    if flt.client_kind is not None:
        kind = _("kind")
        parts.append(f"{kind}: {_(KIND_LABELS[flt.client_kind])}")
    if flt.rating_min is not None:
        parts.append(_("rating ≥ {n}").format(n=flt.rating_min))
    if flt.idle_days is not None:
        parts.append(_("no contact for {n}+ days").format(n=flt.idle_days))
    for field_id, value in (flt.custom or {}).items():
        parts.append(f"{c.name_of('fields', field_id)}: «{value}»")
    return ", ".join(parts)


# The fields of the dialog: (name, label, kind) in display order, two per row.
_TEXT = "text"
_NUMBER = "number"
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", N_("Company"), _TEXT),
    ("inn", N_("INN"), _TEXT),
    ("phone", N_("Phone"), _TEXT),
    ("email", N_("E-mail"), _TEXT),
    ("city", N_("City"), _TEXT),
    ("contact", N_("Contact person"), _TEXT),
    ("manager_id", N_("Manager"), "managers"),
    ("group_id", N_("Group"), "groups"),
    ("region_id", N_("Region"), "regions"),
    ("industry_id", N_("Industry"), "industries"),
    ("source_id", N_("Source"), "sources"),
    ("client_kind", N_("Client kind"), "kinds"),
    ("rating_min", N_("Rating from"), "ratings"),
    ("idle_days", N_("Days w/o contact"), _NUMBER),
    ("custom_field", N_("Extra field"), "fields"),
    ("custom_value", N_("Field value"), _TEXT),
)
_MAX_LENGTH = {"name": 250, "inn": 12, "phone": 40, "email": 200, "city": 100, "contact": 200}


class ClientFilterDialog(Localized, ServiceCalls, ModalScreen[ClientFilter | None]):
    """Every filter field of C1 and the saved filters. Enter in a field or ctrl+s
    applies; the result keeps no quick-filter text (the list adds its own)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="client_filter.cancel"),
        Binding("ctrl+s", "apply", N_("Apply"), id="client_filter.apply"),
        Binding("ctrl+t", "save", N_("Save the filter"), id="client_filter.save"),
        Binding("ctrl+r", "reset", N_("Clear the fields"), id="client_filter.reset"),
        Binding(
            "delete",
            "delete_saved",
            N_("Delete the saved filter"),
            show=False,
            id="client_filter.delete_saved",
        ),
    ]
    DEFAULT_CSS = """
    ClientFilterDialog { align: center middle; }
    ClientFilterDialog > Vertical {
        width: 110; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ClientFilterDialog .form-title { text-style: bold; }
    ClientFilterDialog #filter-fields { height: auto; max-height: 1fr; }
    ClientFilterDialog #filter-grid {
        grid-size: 2; grid-gutter: 0 2; grid-rows: 1; height: auto;
    }
    ClientFilterDialog .filter-cell { height: 1; }
    ClientFilterDialog .filter-cell Label { width: 17; color: $text-muted; }
    ClientFilterDialog .filter-cell Input, ClientFilterDialog .filter-cell Select {
        width: 1fr;
    }
    ClientFilterDialog Input { background: $surface; }
    ClientFilterDialog Input:focus { background: $boost; }
    ClientFilterDialog #saved-row { height: auto; margin-top: 1; }
    ClientFilterDialog #saved-box { width: 1fr; height: auto; }
    ClientFilterDialog #save-box { width: 1fr; height: auto; margin-left: 2; }
    ClientFilterDialog #saved { height: 3; border: none; background: $boost; }
    ClientFilterDialog #save-name { width: 1fr; }
    ClientFilterDialog .filter-error { color: $error; height: auto; }
    ClientFilterDialog .dialog-buttons { height: auto; align-horizontal: right; margin: 0; }
    ClientFilterDialog .dialog-buttons Button { margin-left: 1; }
    ClientFilterDialog .dialog-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, choices: FilterChoices, current: ClientFilter | None = None) -> None:
        super().__init__()
        self.choices = choices
        self.current = current or ClientFilter()
        self.saved: list[SavedFilterInfo] = list(choices.saved)

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Client filter"), classes="form-title")
            with VerticalScroll(id="filter-fields"), Grid(id="filter-grid"):
                for name, label, kind in _FIELDS:
                    with Horizontal(classes="filter-cell", id=f"cell-{name}"):
                        yield Label(_(label))
                        yield self._control(name, kind)
            with Horizontal(id="saved-row"):
                with Vertical(id="saved-box"):
                    yield Label(_("Saved filters"))
                    yield OptionList(id="saved")
                with Vertical(id="save-box"):
                    yield Label(_("Save the fields as"))
                    yield TextField(
                        placeholder=_("name of the filter"),
                        id="save-name",
                        max_length=100,
                        compact=True,
                    )
                    yield Static("", id="save-message", classes="filter-error")
            yield Static("", id="filter-error", classes="filter-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Apply"), variant="primary", id="apply", compact=True)
                yield Button(_("Clear the fields"), id="reset", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(
                _(
                    "Enter, ctrl+s — apply · ctrl+t — save · ctrl+r — clear · Esc — cancel · "
                    "in the saved filters: Enter — use, Del — delete"
                ),
                classes="dialog-hint",
            )

    def _control(self, name: str, kind: str) -> Widget:
        ident = f"flt-{name}"
        value = self._initial(name)
        if kind in (_TEXT, _NUMBER):
            return TextField(
                value="" if value is None else str(value),
                id=ident,
                type="integer" if kind == _NUMBER else "text",
                placeholder=_("any"),
                max_length=_MAX_LENGTH.get(name, 250 if kind == _TEXT else 5),
                compact=True,
            )
        options = self._options(kind)
        known = {v for _label, v in options}
        return Select(
            options,
            value=value if value in known else Select.NULL,
            prompt=_("any"),
            id=ident,
            compact=True,
        )

    def _options(self, kind: str) -> list[tuple[str, Any]]:
        if kind == "kinds":
            return [(_(label), k.value) for k, label in KIND_LABELS.items()]
        if kind == "ratings":
            return [(_("{n} and more").format(n=n), n) for n in range(1, 6)]
        return [(label, ident) for ident, label in getattr(self.choices, kind)]

    def _initial(self, name: str) -> Any:
        flt = self.current
        if name == "client_kind":
            return flt.client_kind.value if flt.client_kind else None
        if name in ("custom_field", "custom_value"):
            first = next(iter((flt.custom or {}).items()), None)
            if first is None:
                return None
            return first[0] if name == "custom_field" else first[1]
        return getattr(flt, name)

    def on_mount(self) -> None:
        self._fill_saved()
        self.query_one("#flt-name", Input).focus()

    def _fill_saved(self) -> None:
        listing = self.query_one("#saved", OptionList)
        listing.clear_options()
        for info in self.saved:
            listing.add_option(Option(info.name, id=str(info.id)))
        if self.saved:
            listing.highlighted = 0
        else:
            listing.add_option(Option(_("(none yet)"), id="none", disabled=True))

    # --- reading the fields ------------------------------------------------------------

    def _value(self, name: str) -> Any:
        widget = self.query_one(f"#flt-{name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        text = widget.value.strip()  # type: ignore[attr-defined]
        return text or None

    def read_filter(self) -> ClientFilter:
        """The filter the fields describe (raises ValidationFailed for bad numbers)."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, _label, kind in _FIELDS:
            if name in ("custom_field", "custom_value"):
                continue
            value = self._value(name)
            if value is None:
                continue
            if kind == _NUMBER:
                try:
                    value = int(value)
                except ValueError:
                    errors[name] = _("Enter a whole number")
                    continue
                if value < 0:
                    errors[name] = _("Enter a whole number")
                    continue
            elif name == "client_kind":
                value = ClientKind(value)
            values[name] = value
        field_id, text = self._value("custom_field"), self._value("custom_value")
        if text is not None and field_id is None:
            errors["custom_field"] = _("Choose the field")
        elif field_id is not None and text is not None:
            values["custom"] = {int(field_id): text}
        if errors:
            raise ValidationFailed(errors)
        return ClientFilter(**values)

    def _show_errors(self, errors: dict[str, str]) -> None:
        labels = {name: _(label) for name, label, _kind in _FIELDS}
        self.query_one("#filter-error", Static).update(
            "; ".join(f"{labels.get(k, k)}: {v}" for k, v in errors.items())
        )
        first = next(iter(errors), None)
        if first and first in labels:
            self.query_one(f"#flt-{first}").focus()

    # --- actions -----------------------------------------------------------------------

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        try:
            flt = self.read_filter()
        except ValidationFailed as exc:
            self._show_errors(exc.errors)
            return
        self.dismiss(flt)

    def action_reset(self) -> None:
        for name, _label, _kind in _FIELDS:
            widget = self.query_one(f"#flt-{name}")
            if isinstance(widget, Select):
                widget.clear()
            else:
                widget.value = ""  # type: ignore[attr-defined]
        self.query_one("#filter-error", Static).update("")
        self.query_one("#flt-name", Input).focus()

    def action_save(self) -> None:
        name_input = self.query_one("#save-name", Input)
        message = self.query_one("#save-message", Static)
        name = name_input.value.strip()
        if not name:
            message.update(_("Type a name for the filter"))
            name_input.focus()
            return
        try:
            flt = self.read_filter()
        except ValidationFailed as exc:
            self._show_errors(exc.errors)
            return
        if flt.is_empty():
            message.update(_("The fields are empty: nothing to save"))
            return
        message.update("")
        self.call_service(
            _save_and_list, name, flt, then=self._saved, on_error=self._save_failed, group="filters"
        )

    def _saved(self, result: tuple[int, list[SavedFilterInfo]]) -> None:
        filter_id, self.saved = result
        self._fill_saved()
        listing = self.query_one("#saved", OptionList)
        for index, info in enumerate(self.saved):
            if info.id == filter_id:
                listing.highlighted = index
                self.query_one("#save-message", Static).update(
                    _("Saved as «{name}»").format(name=info.name)
                )

    def _save_failed(self, error: BaseException) -> None:
        line = self.query_one("#save-message", Static)
        self.route_error(
            error,
            fields=lambda errors: line.update("; ".join(errors.values())),
            message=line.update,
        )

    def _picked(self) -> SavedFilterInfo | None:
        listing = self.query_one("#saved", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return next((f for f in self.saved if str(f.id) == option.id), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        info = next((f for f in self.saved if str(f.id) == event.option.id), None)
        if info is not None:
            self.dismiss(replace(info.filter, text=None))

    def action_delete_saved(self) -> None:
        """Delete in the list of saved filters (elsewhere Delete edits the field)."""
        from qstui.screens.dialogs.message import ConfirmDialog

        if self.focused is not self.query_one("#saved", OptionList):
            return
        info = self._picked()
        if info is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(_delete_and_list, info.id, then=self._deleted, group="filters")

        self.app.push_screen(
            ConfirmDialog(_("Delete the saved filter «{name}»?").format(name=info.name)),
            answered,
        )

    def _deleted(self, saved: list[SavedFilterInfo]) -> None:
        self.saved = saved
        self._fill_saved()
        self.query_one("#saved", OptionList).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "save-name":
            self.action_save()
        else:
            self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"apply": self.action_apply, "reset": self.action_reset}
        actions.get(event.button.id or "", self.action_cancel)()


def _save_and_list(ctx: Any, name: str, flt: ClientFilter) -> tuple[int, list[SavedFilterInfo]]:
    filter_id = save_filter(ctx, name, flt)
    return filter_id, list_filters(ctx)


def _delete_and_list(ctx: Any, filter_id: int) -> list[SavedFilterInfo]:
    delete_filter(ctx, filter_id)
    return list_filters(ctx)


__all__: Sequence[str] = (
    "KIND_LABELS",
    "ClientFilterDialog",
    "FilterChoices",
    "load_choices",
    "summarize",
)
