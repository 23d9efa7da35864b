"""Tab «Основное» (Main) of the deal card: what the deal shows but does not edit here
(pipeline, actual end, why it was lost), and its fields edited in place — ctrl+s saves
them under the version the card was loaded at."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Select, Static, TextArea

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealView
from qstui.domain.enums import DealStatus
from qstui.domain.errors import Conflict, ValidationFailed
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import DealTab
from qstui.services.deals.deal import update_deal
from qstui.widgets.form import FieldSpec, FormField, field_values, show_errors

# The fields of the Main tab, as ``update_deal`` names them.
FIELD_LABELS = {
    "title": N_("Title"),
    "contact_id": N_("Contact person"),
    "manager_id": N_("Responsible manager"),
    "source_id": N_("Source"),
    "reason": N_("Reason"),
    "started_on": N_("Start"),
    "planned_end_on": N_("Planned end"),
    "currency_code": N_("Currency"),
    "notes": N_("Notes"),
}
NONE = 0  # the "none" choice of a drop-down (ids start at 1)


def _with_current(
    choices: list[tuple[int, str]], ident: int | None, name: str | None
) -> list[tuple[Any, str]]:
    """``choices`` as (label, value) pairs with "—" first; the current value is kept even
    when it is not among them (e.g. an inactive source)."""
    pairs: list[tuple[Any, str]] = [("—", NONE)]
    pairs += [(label, value) for value, label in choices]
    if ident is not None and ident not in {value for value, _label in choices}:
        pairs.append((name or str(ident), ident))
    return pairs


def _norm(value: Any) -> Any:
    """A field value compared for "changed": text stripped, None and "none" alike."""
    if value is None or value == NONE:
        return ""
    return value.strip() if isinstance(value, str) else value


def _set_value(widget: Any, value: Any) -> None:
    """Put ``value`` into a form input (an Input, a Select or a TextArea)."""
    if isinstance(widget, Select):
        widget.value = value
    elif isinstance(widget, TextArea):
        widget.text = str(value or "")
    else:
        widget.value = "" if value is None else str(value)


def _label(name: str) -> str:
    """The translated label of the Main form's field ``name``."""
    return _(FIELD_LABELS[name])


class MainTab(DealTab):
    TITLE = N_("Main")
    KEYS = (Binding("ctrl+s", "save", N_("Save"), id="save"),)
    DEFAULT_CSS = """
    MainTab #main-info { height: auto; margin-bottom: 1; }
    MainTab #main-form { height: auto; }
    MainTab .form-row { height: auto; }
    MainTab .form-row FormField { width: 1fr; }
    MainTab .form-row FormField:first-child { margin-right: 2; }
    MainTab .hint { color: $text-muted; height: auto; }
    MainTab.-compact #main-info { margin-bottom: 0; }
    MainTab.-compact FormField TextArea { height: 3; }
    MainTab.-compact FormField .field-error { display: none; }
    MainTab.-compact FormField.invalid .field-error { display: block; }
    """
    # Below this terminal width or height the inputs are one line high (Textual's
    # compact inputs), so that the whole form fits on 80×24 (issue 14)
    COMPACT_WIDTH = 100
    COMPACT_HEIGHT = 40

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.original: dict[str, Any] = {}
        self.labels: dict[str, dict[Any, str]] = {}
        self._form_shape: list[tuple[str, tuple[Any, ...]]] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="main-scroll") as scroll:
            scroll.can_focus = False  # Tab goes straight to the fields
            yield Static("", id="main-info")
            yield Vertical(id="main-form")
            yield Static(_("Tab — to the fields · ctrl+s — save · Esc — leave the field"),
                         classes="hint")  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.can_edit()
        return True

    def show(self, view: DealView, typed: dict[str, Any] | None = None) -> None:
        """Fill the tab; ``typed``: values the user typed, kept in the form."""
        self.view = view
        self._show_info(view)
        self.call_later(self._build_form, view, dict(typed or {}))

    def fill(self, view: DealView) -> None:
        self.show(view)

    def _show_info(self, view: DealView) -> None:
        """What the tab shows but does not edit (the head has client, status, stage and
        total)."""
        card = view.card
        info = Text()
        pairs = [
            (_("Pipeline"), card.pipeline_name),
            (_("Actual end"), fmt.day(card.closed_on) or "—"),
        ]
        if card.status == DealStatus.LOST:
            pairs += [
                (_("Refusal reason"), card.lost_reason_name or "—"),
                (_("Lost at stage"), card.lost_stage_name or "—"),
            ]
            if card.lost_note:
                pairs.append((_("Note"), card.lost_note))
        for n, (label, value) in enumerate(pairs):
            if n:
                info.append(" · ")
            info.append(f"{label}: ", style="bold")
            info.append(value)
        self.query_one("#main-info", Static).update(info)

    # --- editing in place -----------------------------------------------------------------

    def _specs(self, view: DealView) -> list[FieldSpec]:
        card = view.card
        currencies = [(c.code, c.code) for c in view.currencies]
        if card.currency_code not in {c.code for c in view.currencies}:
            currencies.append((card.currency_code, card.currency_code))
        managers = [(m.id, m.full_name) for m in view.managers]
        return [
            FieldSpec("title", _label("title"), card.title, max_length=250),
            FieldSpec(
                "contact_id",
                _label("contact_id"),
                card.contact_id or NONE,
                choices=_with_current(list(view.contacts), card.contact_id, card.contact_name),
                allow_blank=False,
            ),
            FieldSpec(
                "manager_id",
                _label("manager_id"),
                card.manager_id or NONE,
                choices=_with_current(managers, card.manager_id, card.manager_name),
                allow_blank=False,
            ),
            FieldSpec(
                "source_id",
                _label("source_id"),
                card.source_id or NONE,
                choices=_with_current(list(view.sources), card.source_id, card.source_name),
                allow_blank=False,
            ),
            FieldSpec("reason", _label("reason"), card.reason or "", max_length=500),
            FieldSpec(
                "currency_code",
                _label("currency_code"),
                card.currency_code,
                choices=currencies,
                allow_blank=False,
            ),
            FieldSpec(
                "started_on",
                _label("started_on"),
                fmt.day(card.started_on),
                placeholder=_("DD.MM.YYYY"),
            ),
            FieldSpec(
                "planned_end_on",
                _label("planned_end_on"),
                fmt.day(card.planned_end_on),
                placeholder=_("DD.MM.YYYY"),
            ),
            FieldSpec("notes", _label("notes"), card.notes or "", multiline=True),
        ]

    async def _build_form(self, view: DealView, typed: dict[str, Any]) -> None:
        specs = self._specs(view)
        self.original = {spec.name: spec.value for spec in specs}
        self.labels = {
            spec.name: {value: label for label, value in spec.choices}
            for spec in specs
            if spec.choices is not None
        }
        for spec in specs:
            if spec.name in typed:
                spec.value = typed[spec.name]
        form = self.query_one("#main-form", Vertical)
        shape = [(spec.name, tuple(spec.choices or ())) for spec in specs]
        before = dict(self._form_shape)
        if [name for name, _c in shape] == [name for name, _c in self._form_shape]:
            # the same fields (another deal, or the same one again): new choices and values
            # in place — making the form anew cost ~150 ms of a card's opening
            for spec in specs:
                widget = form.query_one(f"#input-{spec.name}")
                choices = tuple(spec.choices or ())
                if isinstance(widget, Select) and choices != before[spec.name]:
                    widget.set_options(choices)
                _set_value(widget, spec.value)
            self._form_shape = shape
            show_errors(form, {})
            self.fit_inputs()
            return
        self._form_shape = shape
        focused = self.screen.focused
        refocus = focused.id if focused is not None and form in focused.ancestors else None
        await form.remove_children()
        fields = [FormField(spec) for spec in specs]
        pairs, last = fields[:-1], fields[-1]  # the notes take the whole width
        rows = [Horizontal(*pairs[i : i + 2], classes="form-row") for i in range(0, len(pairs), 2)]
        await form.mount_all([*rows, last])
        self.fit_inputs()
        if refocus:
            found = form.query(f"#{refocus}")
            if found:
                found.first().focus()

    def refit(self) -> None:
        super().refit()
        self.fit_inputs()

    def fit_inputs(self) -> None:
        """One-line inputs on a small terminal, the bordered ones on a large one."""
        width, height = self.app.size
        compact = width < self.COMPACT_WIDTH or height < self.COMPACT_HEIGHT
        self.set_class(compact, "-compact")
        for widget in self.query_one("#main-form").query("Input, Select, TextArea"):
            widget.compact = compact  # type: ignore[attr-defined]

    def holds(self, widget: Widget | None) -> bool:
        """Whether ``widget`` is one of the form's."""
        return widget is not None and self.query_one("#main-form") in widget.ancestors

    def typed_changes(self) -> dict[str, Any]:
        """The form's fields whose typed value differs from the loaded card (raw)."""
        form = self.query_one("#main-form", Vertical)
        values = field_values(form)
        return {
            name: value
            for name, value in values.items()
            if name in self.original and _norm(value) != _norm(self.original[name])
        }

    @property
    def dirty(self) -> bool:
        return bool(self.card is not None and self.original and self.typed_changes())

    def _service_values(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Typed values as ``update_deal`` takes them; ValidationFailed for bad dates."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in typed.items():
            if name in ("started_on", "planned_end_on"):
                text = str(value or "").strip()
                if not text:
                    values[name] = None
                    continue
                try:
                    values[name] = fmt.parse_day(text)
                except ValueError:
                    errors[name] = _("Enter a date as DD.MM.YYYY")
            elif name in ("contact_id", "manager_id", "source_id"):
                values[name] = None if value in (None, NONE) else value
            else:
                values[name] = value
        if errors:
            raise ValidationFailed(errors)
        return values

    def action_save(self) -> None:
        if self.card is None:
            return
        form = self.query_one("#main-form", Vertical)
        typed = self.typed_changes()
        show_errors(form, {})
        if not typed:
            self.notify(_("Nothing to save"))
            return
        try:
            values = self._service_values(typed)
        except ValidationFailed as error:
            self._save_failed(error, typed)
            return
        self.call_service(
            update_deal,
            self.card.id,
            self.card.version,
            then=lambda _version: self.post_message(self.Changed(_("Saved"), typed={})),
            on_error=lambda error: self._save_failed(error, typed),
            group="deal-save",
            **values,
        )

    def _save_failed(self, error: BaseException, typed: dict[str, Any]) -> None:
        def fields(errors: dict[str, str]) -> None:
            self.post_message(self.Activate(self))
            rest = show_errors(self.query_one("#main-form", Vertical), errors)
            if rest:
                self.notify(rest, severity="error")

        def conflict(error: Conflict) -> None:
            shown = [
                (_(FIELD_LABELS[name]), str(self.labels.get(name, {}).get(value, value)))
                for name, value in typed.items()
            ]
            self.show_conflict(error, shown, lambda: self.post_message(self.Changed(typed=typed)))

        self.route_error(error, fields=fields, conflict=conflict)
