"""Mass activities from the client list (C5).

- ``MassActivityDialog``: for the list's current filter or one of the groups, plan one
  interaction per client — type, day, time, subject, and the responsible: each client's
  own manager or one chosen manager. Saved in one transaction by the service; a progress
  bar shows a large one being written. Closes with the activity's effect.
- ``ActivityEffectsDialog``: the mass activities of a group and what they brought:
  clients, clients reached, plans done and planned, deals opened since, money won since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, ProgressBar, Select, Static

from qstui.domain import formatting as fmt
from qstui.domain.calendar import EventTypeInfo
from qstui.domain.clients import ActivityEffect, ClientFilter, GroupInfo
from qstui.domain.clock import today
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _, language
from qstui.screens.dialogs.event_forms import parse_time
from qstui.services.calendar.event_types import list_event_types
from qstui.services.clients import mass_activities
from qstui.services.clients.companies import reference_lists
from qstui.services.clients.groups import list_groups
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import FieldSpec, FormDialog

FILTER = "filter"  # the «source» choice: the client list's current filter
OWN = 0  # the «responsible» choice: each client's own manager


@dataclass(frozen=True)
class MassChoices:
    groups: list[GroupInfo]
    managers: list[tuple[int, str]]
    types: list[EventTypeInfo]


def load_mass_choices(ctx: Any) -> MassChoices:
    """What the dialog offers (runs in a worker)."""
    return MassChoices(
        groups=list_groups(ctx),
        managers=reference_lists(ctx)["managers"],
        types=list_event_types(ctx),
    )


def type_label(t: EventTypeInfo) -> str:
    return (t.name_en or t.name) if language() == "en" else t.name


class MassActivityDialog(FormDialog):
    """Plan a mass activity; closes with its ``ActivityEffect``."""

    DEFAULT_CSS = """
    MassActivityDialog ProgressBar { height: 1; }
    MassActivityDialog ProgressBar.-hidden { display: none; }
    """

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    def __init__(
        self, choices: MassChoices, flt: ClientFilter, count: int | None, summary: str
    ) -> None:
        current = _("the clients of the list's filter ({n})").format(
            n="?" if count is None else fmt.number(count)
        )
        if summary:
            current += f": {summary}"
        sources: list[tuple[str, Any]] = [(current, FILTER)] + [
            (_("group «{name}» ({n})").format(name=g.name, n=g.members), g.id)
            for g in choices.groups
        ]
        responsible: list[tuple[str, Any]] = [(_("each client's own manager"), OWN)] + [
            (name, user_id) for user_id, name in choices.managers
        ]
        types = [(type_label(t), t.id) for t in choices.types]
        fields = [
            FieldSpec("subject", _("Subject"), placeholder=_("What it is about"), max_length=200),
            FieldSpec("source", _("For"), FILTER, choices=sources, allow_blank=False),
            FieldSpec(
                "event_type", _("Type"), types[0][1] if types else "", choices=types,
                allow_blank=False,
            ),
            FieldSpec("day", _("Date"), fmt.day(today() + timedelta(days=1)),
                      placeholder="ДД.ММ.ГГГГ", max_length=10),
            FieldSpec("time", _("Time"), "10:00", placeholder="ЧЧ:ММ", max_length=5),
            FieldSpec("responsible", _("Responsible"), OWN, choices=responsible,
                      allow_blank=False),
        ]  # fmt: skip
        super().__init__(
            _("Plan a mass activity"), fields, self._plan, save_label=_("Plan for everyone")
        )
        self.filter = flt

    def on_mount(self) -> None:  # after FormDialog's (the subject has the focus)
        bar = ProgressBar(id="mass-progress", show_eta=False, classes="-hidden")
        self.query_one(Vertical).mount(bar, before="#form-error")

    def _plan(self, ctx: Any, values: dict[str, Any]) -> ActivityEffect:
        """Runs in a worker: check what was typed, plan, measure."""
        errors: dict[str, str] = {}
        day: date | None = None
        at: time | None = None
        try:
            day = fmt.parse_day(values["day"])
        except ValueError:
            errors["day"] = _("A date like 23.11.2026")
        try:
            at = parse_time(values["time"])
        except ValueError:
            errors["time"] = _("A time like 14:30")
        if errors:
            raise ValidationFailed(errors)
        assert day is not None and at is not None
        options = {
            "event_type_id": values["event_type"],
            "at": at,
            "responsible_id": values["responsible"] or None,
            "progress": lambda done, total: self.post_message(self.Progress(done, total)),
        }
        if values["source"] == FILTER:
            planned = mass_activities.plan_for_filter(
                ctx, self.filter, values["subject"], day, **options
            )
        else:
            planned = mass_activities.plan_mass_activity(
                ctx, values["source"], values["subject"], day, **options
            )
        return mass_activities.activity_effect(ctx, planned)

    def on_mass_activity_dialog_progress(self, message: Progress) -> None:
        if message.total > mass_activities.CHUNK:  # a large one: worth a bar
            bar = self.query_one("#mass-progress", ProgressBar)
            bar.remove_class("-hidden")
            bar.update(total=message.total, progress=message.done)

    def _map_errors(self, errors: dict[str, str]) -> dict[str, str]:
        names = {"title": "subject", "planned_on": "day", "event_type_id": "event_type"}
        return {names.get(k, k): v for k, v in errors.items()}

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationFailed):
            error = ValidationFailed(self._map_errors(error.errors))
        super()._failed(error)


# --- the effect ------------------------------------------------------------------------------


EFFECT_COLUMNS = (
    N_("Activity"),
    N_("Date"),
    N_("Clients"),
    N_("Reached"),
    N_("Plans done"),
    N_("Plans left"),
    N_("Deals since"),
    N_("Won"),
    N_("Won money"),
    N_("Open money"),
)


class ActivityEffectsDialog(Localized, ServiceCalls, ModalScreen[None]):
    """The mass activities of a group and their effect; the group is chosen at the top."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="activity_effects.close")]
    DEFAULT_CSS = """
    ActivityEffectsDialog { align: center middle; }
    ActivityEffectsDialog > Vertical { width: 110; max-width: 100%; height: auto;
        max-height: 100%; border: thick $primary; background: $surface; padding: 0 1; }
    ActivityEffectsDialog .dialog-title { text-style: bold; }
    ActivityEffectsDialog DataTable { height: auto; max-height: 16; }
    ActivityEffectsDialog .dialog-hint { color: $text-muted; }
    """

    def __init__(self, groups: list[GroupInfo], group_id: int | None = None) -> None:
        super().__init__()
        self.groups = groups
        self.group_id = group_id if group_id is not None else (groups[0].id if groups else None)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Mass activities and their effect"), classes="dialog-title")
            yield Select(
                [(g.name, g.id) for g in self.groups],
                value=self.group_id if self.group_id is not None else Select.NULL,
                prompt=_("Choose a group"),
                id="effect-group",
                compact=True,
            )
            table: DataTable[Any] = DataTable(id="effects", cursor_type="row")
            table.add_columns(*[_(c) for c in EFFECT_COLUMNS])
            yield table
            yield Static("", id="effects-empty")
            yield Static(_("Deals and money since each activity's day · Esc — close"),
                         classes="dialog-hint")  # fmt: skip

    def on_mount(self) -> None:
        self.query_one("#effects", DataTable).focus()
        self._load()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL and event.value != self.group_id:
            self.group_id = int(event.value)  # type: ignore[arg-type]
            self._load()

    def _load(self) -> None:
        if self.group_id is not None:
            self.call_service(
                mass_activities.group_activities, self.group_id, then=self._show,
                group="activity-effects",
            )  # fmt: skip

    def _show(self, effects: list[ActivityEffect]) -> None:
        table = self.query_one("#effects", DataTable)
        table.clear()
        for e in effects:
            table.add_row(
                e.title,
                fmt.day(e.planned_on),
                fmt.number(e.companies),
                fmt.number(e.reached),
                fmt.number(e.events_done),
                fmt.number(e.events_planned),
                fmt.number(e.deals),
                fmt.number(e.deals_won),
                Text(fmt.money(e.won_amount), justify="right"),
                Text(fmt.money(e.open_amount), justify="right"),
                key=str(e.activity_id),
            )
        self.query_one("#effects-empty", Static).update(
            "" if effects else _("No mass activities in this group yet")
        )

    def action_close(self) -> None:
        self.dismiss(None)
