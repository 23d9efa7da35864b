"""Plan, move and complete an interaction (K1, K2), from the keyboard.

- ``PlanDialog``: a new plan — the client is found as you type (part of its name, INN,
  phone…; ↑/↓ and Enter pick it), its contact persons are then offered, the type comes
  from the reference book, the date and time are prefilled (the chosen day, 10:00) and
  the reminder is minutes before. Given an ``EventInput`` (the next plan a completion
  suggests) every field starts from it.
- ``MoveDialog``: a new date and time for a plan (``reschedule``).
- Completing a plan uses ``screens.dialogs.interaction.CompleteDialog`` (the client
  card's); its ``Completion.next_plan`` is then offered here, in a ``PlanDialog``.
- ``EventInfoDialog``: everything about one interaction (read only).

Enter saves (in the client field it picks the highlighted client); Tab moves between
fields; Esc cancels. Dates are typed ДД.ММ.ГГГГ and times ЧЧ:ММ in local time; the
services get UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.calendar import EventCard, EventInput, EventRow
from qstui.domain.clients import ContactInfo
from qstui.domain.clock import today
from qstui.domain.errors import Conflict, ValidationFailed
from qstui.i18n import N_, _
from qstui.screens.calendar_views import status_label
from qstui.screens.dialogs.event_fields import ChoiceField, ClientChoice, ClientField
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.services.calendar.event_types import list_event_types
from qstui.services.clients.contacts import list_contacts
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets import text_field
from qstui.widgets.form import FieldSpec, FormDialog, FormField

PLAN_AT = time(10, 0)
DEFAULT_REMIND = 15
HITS = 8
SUBJECT_MAX = calendar_service.SUBJECT_MAX
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.\- ]?(\d{2}))?$")


# --- parsing what was typed -------------------------------------------------------------


def parse_time(text: str) -> time:
    """``14:30``, ``14.30``, ``1430``, ``9`` → a time; ValueError otherwise."""
    match = _TIME_RE.match((text or "").strip())
    if not match:
        raise ValueError(text)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return time(hours, minutes)  # ValueError for 25:00 or 10:75


def local_moment(day_text: str, time_text: str, errors: dict[str, str]) -> datetime | None:
    """The UTC moment of a typed local date and time; a message per bad field in
    ``errors`` (``event_at`` for the date, ``time`` for the time)."""
    day: date | None = None
    at: time | None = None
    try:
        day = fmt.parse_day(day_text)
    except ValueError:
        errors["event_at"] = _("A date like 23.11.2026")
    try:
        at = parse_time(time_text)
    except ValueError:
        errors["time"] = _("A time like 14:30")
    if day is None or at is None:
        return None
    return cal.to_utc(datetime.combine(day, at))


def parse_minutes(text: str, errors: dict[str, str]) -> int | None:
    """Reminder minutes: empty → None (no reminder)."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        errors["remind"] = _("Minutes as a whole number, or empty for no reminder")
        return None
    return int(text)


def summary(row: EventRow) -> str:
    """``23.11.2026 10:30 · Call · subject · client``"""
    parts = [
        f"{fmt.day(row.local_at)} {fmt.hhmm(row.local_at)}",
        row.type_name,
        row.subject,
        row.company_name or "",
        row.contact_name or "",
    ]
    return " · ".join(p for p in parts if p)


# --- the dialogs ------------------------------------------------------------------------


class EventDialog(FormDialog):
    """A form about an interaction: an optional summary line under the title, fields
    grouped in rows, Enter saves. On a conflict (someone changed the interaction
    meanwhile) what was typed stays; the current version is loaded, so saving again
    applies it."""

    DEFAULT_CSS = """
    EventDialog .form-summary { color: $text-muted; height: auto; }
    EventDialog .form-row { height: auto; }
    EventDialog .form-row FormField { width: 1fr; }
    EventDialog .form-row FormField.narrow { width: 14; }
    EventDialog .form-hint { color: $text-muted; height: auto; }
    EventDialog FormField .field-error { display: none; }
    EventDialog FormField.invalid .field-error { display: block; }
    EventDialog.compact FormField { margin-bottom: 1; }
    EventDialog.compact .form-row { margin-bottom: 1; }
    EventDialog.compact .form-row FormField { margin: 0 1 0 0; }
    EventDialog.compact Input, EventDialog.compact SelectCurrent { background: $panel; }
    EventDialog.compact Input:focus { background: $primary 40%; }
    EventDialog.compact Select:focus SelectCurrent { background: $primary 40%; }
    """
    COMPACT_BELOW = 34  # terminal lines under which inputs lose their borders
    OFFERS_FIRST = False  # the first field holds a proposed date, selected to be typed over

    def __init__(
        self,
        title: str,
        rows: list[list[FieldSpec]],
        summary_text: str = "",
        event: EventRow | None = None,
    ) -> None:
        super().__init__(title, [spec for row in rows for spec in row], self._submit)
        self.rows = rows
        self.summary_text = summary_text
        self.event = event
        self.version = event.version if event else None

    def field_for(self, spec: FieldSpec) -> FormField:
        return FormField(spec)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title")
            if self.summary_text:
                yield Static(Text(self.summary_text), classes="form-summary")
            with VerticalScroll():
                for row in self.rows:
                    if len(row) == 1:
                        yield self.field_for(row[0])
                        continue
                    with Horizontal(classes="form-row"):
                        for spec in row:
                            field = self.field_for(spec)
                            if spec.extra.get("narrow"):
                                field.add_class("narrow")
                            yield field
            yield Static("", classes="form-error", id="form-error")
            yield Static(_("Enter — save · Tab — next field · Esc — cancel"), classes="form-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.save_label, variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        if self.app.size.height < self.COMPACT_BELOW:
            self.add_class("compact")
            for widget in self.query("Input, Select, Button"):
                widget.compact = True  # type: ignore[attr-defined]
        if self.OFFERS_FIRST:
            self.call_after_refresh(text_field.offer, self.query(FormField).first().input)

    def field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # not FormDialog's "next field"
        self.action_save()

    def action_save(self) -> None:
        for field in self.query(FormField):
            field.set_error(None)
        super().action_save()

    def _submit(self, ctx: Any, values: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_conflict(self) -> Callable[[Conflict], None] | None:
        if self.event is None:
            return None
        event_id = self.event.id
        return lambda error: self._conflict(error, event_id)

    def _conflict(self, error: Conflict, event_id: int) -> None:
        """A conflict on an edited plan: said in the form, whose typed values stay, and
        the current version loaded so that saving again applies them."""
        again = _("The current version is loaded: save again to apply what you typed.")
        self.query_one("#form-error", Static).update(f"{error}\n{again}")
        self.call_service(
            calendar_lists.get_event,
            event_id,
            then=lambda card: setattr(self, "version", card.version),
            group="event-reload",
        )


class PlanDialog(EventDialog):
    """A new plan (or the next one a completion suggests, given as ``base``); closes
    with the new event's id."""

    def __init__(
        self,
        day: date | None = None,
        *,
        base: EventInput | None = None,
        client_name: str | None = None,
        responsible_id: int | None = None,
        title: str | None = None,
        summary_text: str = "",
    ) -> None:
        self.base = base
        self.responsible_id = base.responsible_id if base else responsible_id
        if base is not None:
            local = cal.to_local(base.event_at)
            remind = base.remind_minutes
        else:
            local = datetime.combine(day or today(), PLAN_AT)
            remind = DEFAULT_REMIND
        client = ClientChoice(base.company_id if base else None, client_name or "")
        rows = [
            [FieldSpec("client", _("Client"), value=client,
                       placeholder=_("Type a part of the name, INN or phone"))],
            [FieldSpec("contact", _("Contact person"), placeholder=_("Nobody in particular"),
                       extra={"value": base.contact_id if base else None})],
            [FieldSpec("type", _("Type"), placeholder=_("Choose"),
                       extra={"value": base.event_type if base else None}),
             FieldSpec("subject", _("Subject"), value=base.subject if base else "",
                       max_length=SUBJECT_MAX)],
            [FieldSpec("event_at", _("Date"), value=fmt.day(local), placeholder="ДД.ММ.ГГГГ",
                       max_length=10),
             FieldSpec("time", _("Time"), value=fmt.hhmm(local), placeholder="ЧЧ:ММ",
                       max_length=5, extra={"narrow": True}),
             FieldSpec("remind", _("Remind, min before"), placeholder=_("none"),
                       value="" if remind is None else str(remind), max_length=5)],
        ]  # fmt: skip
        super().__init__(title or _("New plan"), rows, summary_text)

    def field_for(self, spec: FieldSpec) -> FormField:
        if spec.name == "client":
            return ClientField(spec)
        if spec.name in ("type", "contact"):
            return ChoiceField(spec)
        return FormField(spec)

    def on_mount(self) -> None:
        self.call_service(list_event_types, then=self._types, group="event-types")
        if self.base is not None:
            # A suggestion: Enter accepts it as it is; the date is what people change.
            self.call_after_refresh(text_field.offer, self.field("event_at").input)
            if self.base.company_id is not None:
                self._load_contacts(self.base.company_id)

    def _types(self, types: list[Any]) -> None:
        wanted = self.base.event_type if self.base else None
        choices = [(t.label, t.id) for t in types]
        chosen = next(
            (t.id for t in types if wanted in (t.id, t.code)), types[0].id if types else None
        )
        field = self.field("type")
        assert isinstance(field, ChoiceField)
        field.set_choices(choices, chosen)

    def on_client_field_picked(self, message: ClientField.Picked) -> None:
        message.stop()
        contact = self.field("contact")
        assert isinstance(contact, ChoiceField)
        contact.set_choices([])
        if message.company_id is not None:
            self._load_contacts(message.company_id)

    def _load_contacts(self, company_id: int) -> None:
        self.call_service(
            list_contacts, company_id, then=self._contacts, on_error=lambda _e: None,
            group="contacts",
        )  # fmt: skip

    def _contacts(self, people: list[ContactInfo]) -> None:
        contact = self.field("contact")
        assert isinstance(contact, ChoiceField)
        choices = [
            (f"{p.full_name} — {p.job_title}" if p.job_title else p.full_name, p.id)
            for p in people
            if p.is_active
        ]
        wanted = contact.spec.extra.get("value")
        if wanted is None and self.base is None and people and people[0].is_primary:
            wanted = people[0].id
        contact.set_choices(choices, wanted)

    def _submit(self, ctx: Any, values: dict[str, Any]) -> int:
        errors: dict[str, str] = {}
        event_at = local_moment(values["event_at"], values["time"], errors)
        remind = parse_minutes(values["remind"], errors)
        client: ClientChoice = values["client"]
        if client.text and client.company_id is None:
            errors["client"] = _("Choose a client from the list (type a part of its name)")
        if values["type"] is None:
            errors["type"] = _("Choose the interaction type")
        if errors:
            raise ValidationFailed(errors)
        assert event_at is not None
        company_id = client.company_id
        contact_id = values["contact"] if company_id is not None else None
        plan = EventInput(
            company_id=company_id,
            event_type=values["type"],
            subject=values["subject"],
            event_at=event_at,
            remind_minutes=remind,
            contact_id=contact_id,
            responsible_id=self.responsible_id,
        )
        if self.base is not None and self.base.company_id == company_id:
            plan = replace(
                self.base,
                event_type=plan.event_type,
                subject=plan.subject,
                event_at=plan.event_at,
                remind_minutes=plan.remind_minutes,
                contact_id=plan.contact_id,
            )
        elif self.base is not None:
            plan = replace(plan, notes=self.base.notes, duration_min=self.base.duration_min)
        return calendar_service.plan_from(ctx, plan)


class MoveDialog(EventDialog):
    """A plan's new date and time; closes with the event's new version."""

    OFFERS_FIRST = True

    def __init__(self, event: EventRow) -> None:
        rows = [
            [FieldSpec("event_at", _("Date"), value=fmt.day(event.local_at),
                       placeholder="ДД.ММ.ГГГГ", max_length=10),
             FieldSpec("time", _("Time"), value=fmt.hhmm(event.local_at), placeholder="ЧЧ:ММ",
                       max_length=5)],
        ]  # fmt: skip
        super().__init__(_("Move the plan"), rows, summary(event), event)

    def _submit(self, ctx: Any, values: dict[str, Any]) -> int:
        errors: dict[str, str] = {}
        event_at = local_moment(values["event_at"], values["time"], errors)
        if errors:
            raise ValidationFailed(errors)
        assert self.event is not None and self.version is not None and event_at is not None
        return calendar_service.reschedule(ctx, self.event.id, self.version, event_at)


# --- one interaction, read only ---------------------------------------------------------


class EventInfoDialog(Localized, ServiceCalls, ModalScreen[str | None]):
    """Everything about an interaction; ``k`` closes it with "client" (the caller opens
    the client card)."""

    BINDINGS = [
        Binding("escape,enter", "close", N_("Close"), id="event_info.close"),
        Binding("k", "client", N_("Client card"), id="event_info.client"),
    ]
    DEFAULT_CSS = """
    EventInfoDialog { align: center middle; }
    EventInfoDialog VerticalScroll { height: auto; max-height: 20; }
    EventInfoDialog #event-info { height: auto; }
    """

    def __init__(self, event: EventRow) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(_("Interaction"), classes="dialog-title")
            with VerticalScroll():
                yield Static(self._text(self.event, None), id="event-info")
            yield Static(_("k — client card · Esc — close"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.call_service(
            calendar_lists.get_event, self.event.id, then=self._show, group="event-info"
        )

    def _show(self, card: EventCard) -> None:
        self.query_one("#event-info", Static).update(self._text(card.row, card))

    @staticmethod
    def _text(row: EventRow, card: EventCard | None) -> Text:
        lines = [
            (_("When"), f"{fmt.day(row.local_at)} {fmt.hhmm(row.local_at)}"),
            (_("Type"), row.type_name),
            (_("Status"), status_label(row)),
            (_("Subject"), row.subject),
            (_("Client"), row.company_name or ""),
            (_("Contact person"), row.contact_name or ""),
            (_("Deal"), row.deal_title or ""),
            (_("Responsible"), row.responsible_name),
            (_("Result"), row.result),
            (_("Done at"), fmt.moment(row.done_at)),
        ]
        if card is not None:
            lines += [
                (_("Product"), card.product_name or ""),
                (_("Notes"), card.notes or ""),
                (_("Created"), f"{fmt.moment(card.created_at)} {card.created_by_name or ''}"),
            ]
        text = Text()
        for label, value in lines:
            if value and value.strip():
                text.append(f"{label}: ", style="bold")
                text.append(f"{value}\n")
        text.rstrip()
        return text

    def action_close(self) -> None:
        self.dismiss(None)

    def action_client(self) -> None:
        self.dismiss("client" if self.event.company_id is not None else None)


class DatesDialog(EventDialog):
    """Typed dates (go to a day, a period from–to); closes with the list of dates in
    field order. Fields after the first must not be before it."""

    OFFERS_FIRST = True

    def __init__(self, title: str, fields: list[tuple[str, str, date]], save_label: str) -> None:
        row = [
            FieldSpec(name, label, value=fmt.day(value), placeholder="ДД.ММ.ГГГГ", max_length=10)
            for name, label, value in fields
        ]
        super().__init__(title, [row])
        self.save_label = save_label

    def _submit(self, ctx: Any, values: dict[str, Any]) -> list[date]:
        errors: dict[str, str] = {}
        parsed: list[date] = []
        for spec in self.specs:
            try:
                parsed.append(fmt.parse_day(values[spec.name]))
            except ValueError:
                errors[spec.name] = _("A date like 23.11.2026")
        if not errors:
            for spec, value in zip(self.specs[1:], parsed[1:], strict=True):
                if value < parsed[0]:
                    errors[spec.name] = _("The period ends before it starts")
        if errors:
            raise ValidationFailed(errors)
        return parsed
