"""Tab «Дополнительные поля»: the custom fields admins defined for companies, edited in
place; ctrl+s saves the changed ones (each is checked by the service: a number, a date,
yes/no, one of the choices) and a bad value gets its message at the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Input, Select, Static

from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientCard, CustomFieldValue
from qstui.domain.enums import FieldKind
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardField, InPlaceTab, text, yes_no
from qstui.screens.client_tabs.requisites import same
from qstui.services import rights as R
from qstui.services.clients import custom_fields
from qstui.widgets.form import FieldSpec, show_errors


def form_value(f: CustomFieldValue) -> Any:
    if f.kind is FieldKind.FLAG:
        return None if f.value is None else bool(f.value)
    if f.kind is FieldKind.DATE:
        return fmt.day(f.value)  # type: ignore[arg-type]
    if f.kind is FieldKind.CHOICE:
        return f.value
    return text(f.value)


def spec(f: CustomFieldValue) -> FieldSpec:
    label = f.title + (" *" if f.is_required else "")
    value = form_value(f)
    if f.kind is FieldKind.FLAG:
        return FieldSpec(f.code, label, value, choices=yes_no())
    if f.kind is FieldKind.CHOICE:
        return FieldSpec(f.code, label, value, choices=[(c, c) for c in f.choices])
    hint = {FieldKind.DATE: _("DD.MM.YYYY"), FieldKind.NUMBER: _("a number")}.get(f.kind, "")
    return FieldSpec(f.code, label, value or "", placeholder=hint, max_length=1000)


def save_values(ctx: Any, company_id: int, items: Sequence[tuple[int, str, Any]]) -> int:
    """Runs in a worker: set each (field id, code, value); one ValidationFailed with the
    messages of all bad ones (the good ones are saved). Returns how many were saved."""
    errors: dict[str, str] = {}
    saved = 0
    for field_id, code, value in items:
        try:
            custom_fields.set_value(ctx, company_id, field_id, value)
            saved += 1
        except ValidationFailed as exc:
            errors[code] = "; ".join(exc.errors.values())
    if errors:
        raise ValidationFailed(errors)
    return saved


class CustomFieldsTab(InPlaceTab):
    TITLE = N_("Custom fields")
    SHORT = N_("Fields")

    DEFAULT_CSS = """
    CustomFieldsTab #cf-scroll { height: 1fr; }
    CustomFieldsTab #cf-form { height: auto; max-width: 120; }
    CustomFieldsTab CardField { grid-columns: 26 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields: dict[str, CustomFieldValue] = {}
        self.shown: dict[str, Any] = {}
        self._saving = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="cf-scroll"):
            yield Static("", id="cf-title", classes="tab-title")
            yield Vertical(id="cf-form")

    def fill(self, card: ClientCard) -> None:
        typed = self.dirty()
        wanted = [f.code for f in card.custom_fields]
        form = self.query_one("#cf-form", Vertical)
        if wanted != list(self.fields) and not typed:
            form.remove_children()
            self.fields = {f.code: f for f in card.custom_fields}
            self.shown = {f.code: form_value(f) for f in card.custom_fields}
            editable = self.can(R.EDIT)
            new = [CardField(spec(f)) for f in card.custom_fields]
            mounting = form.mount_all(new)

            async def mounted() -> None:
                await mounting
                self._lock(new, editable)

            self.call_next(mounted)
        else:
            self.fields.update({f.code: f for f in card.custom_fields if f.code in self.fields})
            for f in card.custom_fields:
                if f.code not in self.fields:
                    continue
                value = form_value(f)
                if f.code not in typed:
                    self._put(f.code, value)
                self.shown[f.code] = value
        self.query_one("#cf-title", Static).update(
            _("Custom fields: {n}").format(n=len(card.custom_fields))
            + "  "
            + (_("(ctrl+s — save)") if card.custom_fields else _("(none defined)"))
        )
        self._mark_dirty()

    def _lock(self, fields: list[CardField], editable: bool) -> None:
        for f in fields:
            f.input.disabled = not editable
        focused = self.app.focused
        away = focused is None or self not in focused.ancestors
        # the fields came after the tab was shown: the focus goes to the first one
        if editable and fields and away and self.is_shown():
            fields[0].input.focus()

    def _put(self, code: str, value: Any) -> None:
        widget = self.query_one(f"#field-{code}", CardField).input
        if isinstance(widget, Select):
            if value is None:
                widget.clear()
            else:
                widget.value = value
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)

    def dirty(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.query(CardField):
            name = f.spec.name
            try:
                value = f.value
            except NoMatches:  # just mounted, not composed yet
                continue
            if name in self.shown and not same(value, self.shown[name]):
                out[name] = value
        return out

    def typed_for_copy(self) -> list[tuple[str, str]]:
        return [
            (self.fields[code].title, text(value))
            for code, value in self.dirty().items()
            if code in self.fields
        ]

    def save(self) -> bool:
        card = self.card
        changes = self.dirty()
        if card is None or not changes or self._saving:
            return False
        items = [
            (self.fields[code].field_id, code, None if value == "" else value)
            for code, value in changes.items()
        ]
        self._saving = True
        self.call_service(
            save_values,
            card.id,
            items,
            then=lambda _n: self._saved(changes),
            on_error=lambda error: self._failed(error, changes),
            group="custom-save",
        )
        return True

    def _saved(self, changes: dict[str, Any]) -> None:
        self._saving = False
        self.shown.update(changes)
        show_errors(self, {})
        self.changed(_("Custom fields saved"))

    def _failed(self, error: BaseException, changes: dict[str, Any]) -> None:
        self._saving = False

        def fields(errors: dict[str, str]) -> None:
            self.shown.update({k: v for k, v in changes.items() if k not in errors})
            show_errors(self, errors)
            self.post_message(self.ShowTab(self))
            self.post_message(self.Reload())

        self.route_error(error, fields=fields)
