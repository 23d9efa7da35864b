"""What the tabs of the client card share: the tab base class, tables, form fields
whose drop-downs may be empty, a form dialog built from them, and a pick-one dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TextArea,
)
from textual.widgets.option_list import Option

from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientCard
from qstui.domain.errors import ServiceError
from qstui.i18n import N_, _
from qstui.services import rights as R
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import FieldSpec, FormDialog, FormField


def text(value: Any) -> str:
    """A value as the text of a cell or an input: dates as ДД.ММ.ГГГГ, numbers without
    trailing zeros, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return fmt.day(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def yes_no() -> list[tuple[str, bool]]:
    return [(_("yes"), True), (_("no"), False)]


# --- the tab base ---------------------------------------------------------------------------


class CardTab(Localized, ServiceCalls, Vertical):
    """One tab of the card. Subclasses implement ``fill(card)``; actions named in
    ``EDIT_ACTIONS`` are hidden from users without the ``edit`` right (the services
    refuse them anyway).

    The card screen gives a tab the card (``show``) and the choices of its drop-downs
    (``set_choices``); a tab asks the card screen for anything else with a message
    (``Reload``, ``ShowTab``, ``OpenDeal``, ``PlanWanted``, ``CompletePlan``)."""

    TITLE = ""  # message id of the tab title (wide terminals)
    SHORT = ""  # and of its short title (80 columns)
    EDIT_ACTIONS: frozenset[str] = frozenset()
    INSERT: str | None = None  # the action Ins runs on this tab wherever the focus is
    DEFAULT_CSS = """
    CardTab { height: 1fr; }
    CardTab .card-table { height: auto; max-height: 1fr; }
    CardTab .tab-note { color: $text-muted; height: auto; }
    CardTab .tab-title { text-style: bold; height: auto; }
    CardTab .section-title { text-style: bold; height: auto; margin-top: 1; }
    """

    class Reload(Message):
        """Something of the card changed: read it again and refill every tab."""

    class ShowTab(Message):
        """Make this tab the one shown (e.g. a save failed on it)."""

        def __init__(self, tab: CardTab) -> None:
            super().__init__()
            self.tab = tab

    class OpenDeal(Message):
        """Open the card of the deal ``deal_id`` over the client card."""

        def __init__(self, deal_id: int) -> None:
            super().__init__()
            self.deal_id = deal_id

    class PlanWanted(Message):
        """Plan an interaction with the client (the card's ctrl+t)."""

    class CompletePlan(Message):
        """Complete the planned interaction ``event_id`` (``summary``: what it is)."""

        def __init__(self, event_id: int, summary: str) -> None:
            super().__init__()
            self.event_id = event_id
            self.summary = summary

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.card: ClientCard | None = None
        self.choices: dict[str, Any] = {}

    def can(self, *rights: str) -> bool:
        ctx = self.qapp.ctx
        return ctx is not None and all(ctx.has(r) for r in rights)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.EDIT_ACTIONS:
            return self.can(R.EDIT)
        return True

    def show(self, card: ClientCard) -> None:
        self.card = card
        self.fill(card)

    def set_choices(self, choices: dict[str, Any]) -> None:
        """The choices of the card's drop-downs (managers, departments, regions …)."""
        self.choices = choices

    def forget(self) -> None:
        """The card is reopened for another company: nothing of this one may stay (the
        next ``show`` fills the tab; tables are refilled whole anyway)."""

    def is_shown(self) -> bool:
        """Whether this tab is the active one of the card's tabs."""
        pane = self.parent
        tabbed = next((node for node in self.ancestors if isinstance(node, TabbedContent)), None)
        return pane is not None and tabbed is not None and tabbed.active == pane.id

    def insert(self) -> None:
        """Ins on the tab when the focus is not on a widget of the tab (e.g. on the tab
        strip): the tab's own "add" action."""
        if self.INSERT and self.check_action(self.INSERT, ()):
            getattr(self, f"action_{self.INSERT}")()

    def fill(self, card: ClientCard) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def changed(self, note: str | None = None) -> None:
        """Something of the card changed: tell the user and reload every tab."""
        if note:
            self.notify(note)
        self.post_message(self.Reload())

    def confirm(self, question: str, then: Callable[[], None]) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question), answered)

    def form(
        self,
        title: str,
        fields: Sequence[FieldSpec],
        submit: Callable[[Any, dict[str, Any]], Any],
        done: Callable[[Any], None],
        save_label: str | None = None,
    ) -> None:
        """A modal form; ``done(result)`` after the service saved (not on cancel)."""

        def closed(result: Any) -> None:
            if result is not None:
                done(result)

        self.app.push_screen(CardFormDialog(title, fields, submit, save_label), closed)


class InPlaceTab(CardTab):
    """A tab edited in place (ctrl+s saves): ``dirty()`` names the fields the user
    changed, and their labels are marked as the user types."""

    def dirty(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """The fields the user changed: name → typed value."""
        raise NotImplementedError

    shown: dict[str, Any]  # the saved values the fields were filled with
    _saving: bool

    def forget(self) -> None:
        """What was typed goes with the previous company: with nothing shown, nothing is
        "changed", so the next ``show`` puts every saved value in its field."""
        self.shown = {}
        self._saving = False
        for f in self.query(CardField):
            f.set_error(None)

    def _mark_dirty(self) -> None:
        changed = self.dirty()
        for f in self.query(CardField):
            f.set_class(f.spec.name in changed, "-dirty")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._mark_dirty()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._mark_dirty()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._mark_dirty()


# --- form fields --------------------------------------------------------------------------


class CardField(FormField):
    """A ``FormField`` on one line (label, then a borderless input); its message shows
    under it only when there is one. A drop-down may start empty and reads None then."""

    DEFAULT_CSS = """
    CardField { layout: grid; grid-size: 2; grid-columns: 22 1fr; grid-rows: auto;
        height: auto; }
    CardField > Label { color: $text-muted; padding-right: 1; }
    CardField > .field-error { column-span: 2; display: none; }
    CardField.invalid > .field-error { display: block; }
    CardField.-dirty > Label { color: $warning; text-style: bold; }
    CardField Input.-textual-compact { background: $boost; }
    CardField Input.-textual-compact:focus { background: $primary 30%; }
    CardField TextArea.-textual-compact { height: 4; background: $boost; }
    """

    def on_mount(self) -> None:
        widget = self.input
        if isinstance(widget, Input | Select | TextArea):
            widget.compact = True

    def compose(self) -> ComposeResult:
        spec = self.spec
        if spec.choices is None:
            yield from super().compose()
            return
        options = [(label, value) for label, value in spec.choices]
        legal = [value for _label, value in options]
        value: Any = Select.NULL
        if spec.value not in ("", None) and any(
            spec.value == v and type(spec.value) is type(v) for v in legal
        ):
            value = spec.value
        elif not spec.allow_blank and options:
            value = options[0][1]
        yield Label(spec.label)
        yield Select(
            options,
            value=value,
            allow_blank=spec.allow_blank,
            prompt=spec.placeholder or "—",
            id=f"input-{spec.name}",
            disabled=spec.read_only,
        )
        yield Static("", classes="field-error")

    @property
    def value(self) -> Any:
        widget = self.input
        if isinstance(widget, Select):
            return widget.selection
        return super().value


class CardFormDialog(FormDialog):
    """``FormDialog`` with ``CardField``s."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title")
            with VerticalScroll():
                for spec in self.specs:
                    yield CardField(spec)
            yield Static("", classes="form-error", id="form-error")
            yield Static(
                _("Tab/Enter — next field · ctrl+s — save · Esc — cancel"), classes="form-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.save_label, variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    DEFAULT_CSS = """
    CardFormDialog .form-hint { color: $text-muted; height: auto; }
    """


def service_message(error: BaseException) -> str | None:
    return str(error) if isinstance(error, ServiceError) else None


# --- pick one -------------------------------------------------------------------------------


class PickDialog(Localized, ModalScreen[Any]):
    """Pick one of ``options`` ((label, value) pairs): Enter picks, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="pick.cancel")]
    DEFAULT_CSS = """
    PickDialog { align: center middle; }
    PickDialog > Vertical { width: 64; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    PickDialog .dialog-title { text-style: bold; }
    PickDialog OptionList { height: auto; max-height: 16; }
    PickDialog .dialog-hint { color: $text-muted; height: auto; }
    """

    def __init__(
        self, title: str, options: Sequence[tuple[str, Any]], hint: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(
                *[Option(label, id=str(i)) for i, (label, _v) in enumerate(self.options)],
                id="pick",
            )
            yield Static(self.hint or _("Enter — choose · Esc — cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#pick", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.options[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
