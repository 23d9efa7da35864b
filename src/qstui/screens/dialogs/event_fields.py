"""The fields of the plan forms: a choice from a list, and a client found by a few
letters as one types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from qstui.domain.clients import ClientFilter, ClientRow
from qstui.i18n import _
from qstui.services.calendar import events as calendar_service
from qstui.services.clients.companies import list_clients
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import FieldSpec, FormField
from qstui.widgets.text_field import TextField

PLAN_AT = time(10, 0)
DEFAULT_REMIND = 15
HITS = 8
SUBJECT_MAX = calendar_service.SUBJECT_MAX
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.\- ]?(\d{2}))?$")


# --- fields -----------------------------------------------------------------------------


class ChoiceField(FormField):
    """A drop-down whose options arrive later (``set_choices``); its value is the chosen
    option's value or None."""

    def compose(self) -> ComposeResult:
        yield Label(self.spec.label)
        yield Select[Any]([], allow_blank=True, prompt=self.spec.placeholder or _("Choose"),
                          id=f"input-{self.spec.name}")  # fmt: skip
        yield Static("", classes="field-error")

    @property
    def value(self) -> Any:
        return self.query_one(Select).selection

    def set_choices(self, choices: list[tuple[str, Any]], value: Any = None) -> None:
        select = self.query_one(Select)
        select.set_options(choices)
        if value is not None and any(v == value for _label, v in choices):
            select.value = value


@dataclass(frozen=True)
class ClientChoice:
    """The client field's value: the chosen company (None: none) and the typed text."""

    company_id: int | None
    text: str


class ClientField(ServiceCalls, FormField):
    """Type a part of the client's name (or INN, phone, a contact's name): the visible
    clients that match are listed under the field; ↑/↓ move, Enter picks."""

    BINDINGS = [
        Binding("down", "hit(1)", show=False, id="client_field.next_hit"),
        Binding("up", "hit(-1)", show=False, id="client_field.previous_hit"),
    ]
    DEFAULT_CSS = """
    ClientField #client-hits { height: auto; max-height: 8; display: none;
        border: none; padding: 0; }
    ClientField #client-hits.shown { display: block; }
    """

    class Picked(Message):
        def __init__(self, company_id: int | None) -> None:
            super().__init__()
            self.company_id = company_id

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        start = spec.value if isinstance(spec.value, ClientChoice) else ClientChoice(None, "")
        self.company_id = start.company_id
        self.chosen_name = start.text if start.company_id is not None else ""
        self.hits: list[ClientRow] = []

    def compose(self) -> ComposeResult:
        yield Label(self.spec.label)
        yield TextField(
            value=self.chosen_name,
            placeholder=self.spec.placeholder,
            id=f"input-{self.spec.name}",
        )
        hits = OptionList(id="client-hits")
        hits.can_focus = False
        yield hits
        yield Static("", classes="field-error")

    @property
    def value(self) -> ClientChoice:
        return ClientChoice(self.company_id, self.query_one(Input).value.strip())

    @property
    def _list(self) -> OptionList:
        return self.query_one("#client-hits", OptionList)

    def _show_hits(self, rows: list[ClientRow], searched: bool = True) -> None:
        self.hits = rows
        options = self._list
        options.clear_options()
        for row in rows:
            extra = " · ".join(p for p in (row.city, row.inn) if p)
            options.add_option(Option(f"{row.name}  {extra}" if extra else row.name))
        options.set_class(bool(rows), "shown")
        if rows:
            options.highlighted = 0
        if searched and not rows and self.query_one(Input).value.strip():
            self.set_error(_("No client matches"))
        else:
            self.set_error(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        if self.company_id is not None and text == self.chosen_name:
            return
        if self.company_id is not None:
            self.company_id = None
            self.chosen_name = ""
            self.post_message(self.Picked(None))
        if len(text) < 2:
            self._show_hits([], searched=False)
            return
        self.call_service(
            lambda ctx, typed: list_clients(ctx, ClientFilter(text=typed), limit=HITS).rows,
            text,
            then=self._found,
            group="client-search",
        )

    def _found(self, rows: list[ClientRow]) -> None:
        if self.company_id is None:  # not picked meanwhile
            self._show_hits(rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.hits and self._list.highlighted is not None:
            event.stop()
            self._pick(self.hits[self._list.highlighted])
            self.screen.focus_next()
        elif self.company_id is None and event.value.strip():
            event.stop()  # typed but not chosen: wait for the list
        else:
            event.stop()
            self.screen.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            self._pick(self.hits[event.option_index])

    def action_hit(self, delta: int) -> None:
        if not self.hits:
            if delta > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        options = self._list
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.hits) - 1, current + delta))

    def _pick(self, row: ClientRow) -> None:
        self.company_id = row.id
        self.chosen_name = row.name
        self.query_one(Input).value = row.name
        self._show_hits([], searched=False)
        self.post_message(self.Picked(row.id))
