"""Custom fields on the screens: ``CustomFieldsForm``, the fields admins defined for an
object edited in place (a company here, a deal on the deal card), and tab «Дополнительные
поля» of the client card made of it — ctrl+s saves the changed ones (each is checked by
the service: a number, a date, yes/no, one of the choices) and a bad value gets its
message at the field. A field no longer in use is shown while it holds a value, read-only.
The contact person's form takes the fields' ``spec``s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
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
    if f.kind is FieldKind.NUMBER and isinstance(f.value, Decimal):
        return format(f.value.normalize(), "f")  # 1500.5, not 1500.5000
    return text(f.value)


def spec(f: CustomFieldValue, prefix: str = "") -> FieldSpec:
    """The form field of ``f``, named ``prefix`` + its code."""
    label = f.title + (" *" if f.is_required and f.is_active else "")
    if not f.is_active:
        label += " " + _("(no longer in use)")
    value = form_value(f)
    name = prefix + f.code
    if f.kind is FieldKind.FLAG:
        return FieldSpec(name, label, value, choices=yes_no(), read_only=not f.is_active)
    if f.kind is FieldKind.CHOICE:
        choices = [(c, c) for c in f.choices]
        if value is not None and value not in f.choices:  # a choice taken away since
            choices.append((value, value))
        return FieldSpec(name, label, value, choices=choices, read_only=not f.is_active)
    hint = {FieldKind.DATE: _("DD.MM.YYYY"), FieldKind.NUMBER: _("a number")}.get(f.kind, "")
    return FieldSpec(
        name, label, value or "", placeholder=hint, max_length=1000, read_only=not f.is_active
    )


def typed_value(value: Any) -> Any:
    """A field's typed value as the services take it (an empty one clears the value)."""
    return None if value == "" else value


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


class CustomFieldsForm(Vertical):
    """The custom fields of one object, a ``CardField`` each (named by the field's code),
    edited in place. ``fill`` shows the fields with their saved values and keeps what the
    user typed over them; ``dirty`` names the fields the user changed (their labels are
    marked as the user types); ``saved`` takes typed values as saved."""

    DEFAULT_CSS = """
    CustomFieldsForm { height: auto; max-width: 120; }
    CustomFieldsForm CardField { grid-columns: 26 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields: dict[str, CustomFieldValue] = {}  # by code, as shown
        self.shown: dict[str, Any] = {}  # the saved values the fields were filled with

    def fill(
        self,
        values: Sequence[CustomFieldValue],
        editable: bool,
        focus_first: Callable[[], bool] = lambda: False,
    ) -> None:
        """Show ``values``; a field the user changed keeps the typed value. The fields
        are made anew when they are others (and nothing is typed); ``focus_first()``,
        asked once they are there, says whether the first one takes the focus."""
        typed = self.dirty()
        wanted = [f.code for f in values]
        if wanted != list(self.fields) and not typed:
            self.remove_children()
            self.fields = {f.code: f for f in values}
            self.shown = {f.code: form_value(f) for f in values}
            new = [CardField(spec(f)) for f in values]
            mounting = self.mount_all(new)

            async def mounted() -> None:
                await mounting
                for f in new:
                    f.input.disabled = not editable or f.spec.read_only
                open_ = [f for f in new if not f.input.disabled]
                if open_ and focus_first():
                    open_[0].input.focus()

            self.call_next(mounted)
        else:
            self.fields.update({f.code: f for f in values if f.code in self.fields})
            for f in values:
                if f.code not in self.fields:
                    continue
                value = form_value(f)
                if f.code not in typed:
                    self._put(f.code, value)
                self.shown[f.code] = value
        self.mark_dirty()

    def forget(self) -> None:
        """The form shows another object next: nothing typed for this one stays."""
        self.shown = {}
        for f in self.query(CardField):
            f.set_error(None)

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
        """The fields the user changed: code → typed value."""
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

    def editable(self) -> bool:
        """Whether a field of the form may be changed."""
        return any(not f.input.disabled for f in self.query(CardField))

    def by_id(self, changes: dict[str, Any]) -> dict[int, Any]:
        """``changes`` (code → typed value) as the services take them: field id → value."""
        return {self.fields[code].field_id: typed_value(v) for code, v in changes.items()}

    def labelled(self, changes: dict[str, Any]) -> list[tuple[str, str]]:
        """``changes`` as the conflict dialog shows what was typed: (title, text)."""
        return [
            (self.fields[code].title, text(value))
            for code, value in changes.items()
            if code in self.fields
        ]

    def saved(self, changes: dict[str, Any]) -> None:
        self.shown.update(changes)

    def mark_dirty(self) -> None:
        changed = self.dirty()
        for f in self.query(CardField):
            f.set_class(f.spec.name in changed, "-dirty")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.mark_dirty()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.mark_dirty()


class CustomFieldsTab(InPlaceTab):
    TITLE = N_("Custom fields")
    SHORT = N_("Fields")

    DEFAULT_CSS = """
    CustomFieldsTab #cf-scroll { height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._saving = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="cf-scroll"):
            yield Static("", id="cf-title", classes="tab-title")
            yield CustomFieldsForm(id="cf-form")

    @property
    def form(self) -> CustomFieldsForm:
        return self.query_one(CustomFieldsForm)

    @property
    def fields(self) -> dict[str, CustomFieldValue]:
        return self.form.fields

    def fill(self, card: ClientCard) -> None:
        def focus_first() -> bool:
            # the fields came after the tab was shown: the focus goes to the first one
            focused = self.app.focused
            return (focused is None or self not in focused.ancestors) and self.is_shown()

        self.form.fill(card.custom_fields, self.can(R.EDIT), focus_first)
        self.query_one("#cf-title", Static).update(
            _("Custom fields: {n}").format(n=len(card.custom_fields))
            + "  "
            + (_("(ctrl+s — save)") if card.custom_fields else _("(none defined)"))
        )

    def forget(self) -> None:
        self.form.forget()
        self._saving = False

    def _mark_dirty(self) -> None:
        self.form.mark_dirty()

    def dirty(self) -> dict[str, Any]:
        return self.form.dirty()

    def typed_for_copy(self) -> list[tuple[str, str]]:
        return self.form.labelled(self.dirty())

    def save(self) -> bool:
        card = self.card
        changes = self.dirty()
        if card is None or not changes or self._saving:
            return False
        items = [
            (self.fields[code].field_id, code, typed_value(value))
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
        self.form.saved(changes)
        show_errors(self, {})
        self.changed(_("Custom fields saved"))

    def _failed(self, error: BaseException, changes: dict[str, Any]) -> None:
        self._saving = False

        def fields(errors: dict[str, str]) -> None:
            self.form.saved({k: v for k, v in changes.items() if k not in errors})
            show_errors(self, errors)
            self.post_message(self.ShowTab(self))
            self.post_message(self.Reload())

        self.route_error(error, fields=fields)
