"""Interactions from the keyboard (K1, K2).

``InteractionDialog`` logs a done interaction or plans one. It opens with the type
preselected (a call, or the type of the plan it continues) and the cursor in the subject:
type the subject, Enter — saved. ↑/↓ (or alt+1…alt+9) switch the type; ctrl+e / ctrl+t
switch between "log" and "plan"; a plan's date and time are prefilled (tomorrow 10:00, or
the suggested next plan). The product of interest («Предмет», K1) is optional: F4 (or
Enter on its button) picks it from the products reference book, Del clears it. It
dismisses with the new event's id (None: cancelled).

``CompleteDialog`` completes a plan with its result and dismisses with the
``Completion``; the caller then offers ``completion.next_plan`` in an
``InteractionDialog`` in plan mode (Enter accepts it, Esc skips it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.calendar import Completion, EventCard, EventInput, EventResultInfo, EventTypeInfo
from qstui.domain.clock import today
from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.services.calendar.event_types import list_event_results, list_event_types
from qstui.services.deals.choices import ProductChoice, product_choice
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import SaveOrCancel
from qstui.widgets.text_field import TextField

LOG = "log"
PLAN = "plan"
MOMENT_FORMAT = "%d.%m.%Y %H:%M"
DEFAULT_TIME = time(10, 0)

DIALOG_CSS = """
{cls} {{ align: center middle; }}
{cls} > Vertical {{ width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1; }}
{cls} .dialog-title {{ text-style: bold; }}
{cls} .dialog-info {{ color: $text-muted; height: auto; }}
{cls} .field-error {{ color: $error; height: auto; }}
{cls} .form-error {{ color: $error; height: auto; }}
{cls} .-empty {{ display: none; }}
{cls} Input {{ background: $boost; }}
{cls} Input:focus {{ background: $primary 30%; }}
{cls} Label {{ color: $text-muted; margin-top: 1; }}
{cls} #types {{ height: auto; margin-top: 1; }}
{cls} .dialog-hint {{ color: $text-muted; height: auto; }}
{cls} .dialog-buttons {{ height: auto; align-horizontal: right; }}
{cls} .dialog-buttons Button {{ margin-left: 2; }}
"""


def say(widget: Static, message: str) -> None:
    """A message line that takes no room while it is empty."""
    widget.update(message)
    widget.set_class(not message, "-empty")


def tomorrow_at_ten() -> datetime:
    """Tomorrow 10:00 local wall-clock time."""
    return datetime.combine(today() + timedelta(days=1), DEFAULT_TIME)


def parse_moment(text: str) -> datetime:
    """``23.11.2026 14:30`` (or a day alone: 10:00) → local naive; ValueError otherwise."""
    text = " ".join((text or "").split())
    for pattern in (MOMENT_FORMAT, "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return datetime.combine(fmt.parse_day(text), DEFAULT_TIME)


def save_interaction(
    ctx: Any,
    mode: str,
    company_id: int | None,
    event_type: int | str,
    subject: str,
    event_at: datetime | None,
    result_text: str | None,
    contact_id: int | None,
    prefill: EventInput | None,
    product_id: int | None = None,
) -> int:
    """Runs in a worker: log a done interaction or plan one (from the prefill, if any)."""
    if mode == LOG:
        return calendar_service.log_interaction(
            ctx,
            company_id,
            event_type,
            subject,
            contact_id=contact_id,
            deal_id=prefill.deal_id if prefill else None,
            product_id=product_id,
            result_text=result_text,
        )
    base = prefill or EventInput(
        company_id=company_id,
        event_type=event_type,
        subject=subject,
        event_at=event_at,  # type: ignore[arg-type]
    )
    plan = replace(
        base,
        company_id=company_id,
        event_type=event_type,
        subject=subject,
        event_at=event_at,  # type: ignore[arg-type]
        contact_id=contact_id,
        product_id=product_id,
    )
    return calendar_service.plan_from(ctx, plan)


class InteractionDialog(SaveOrCancel, Localized, ServiceCalls, ModalScreen[int | None]):
    """Log (``LOG``) or plan (``PLAN``) an interaction of a client."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="interaction.cancel"),
        Binding(
            "up", "step_type(-1)", N_("Previous type"), show=False, id="interaction.previous_type"
        ),
        Binding("down", "step_type(1)", N_("Next type"), show=False, id="interaction.next_type"),
        *[
            Binding(f"alt+{n}", f"pick_type({n - 1})", show=False, id=f"interaction.type.{n}")
            for n in range(1, 10)
        ],
        Binding("ctrl+e", "mode('log')", N_("Log a done one"), priority=True, id="interaction.log"),
        Binding("ctrl+t", "mode('plan')", N_("Plan"), priority=True, id="interaction.plan"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="interaction.save"),
        Binding("f4", "pick_product", N_("Product of interest"), id="interaction.product"),
        Binding(
            "delete", "clear_product", N_("No product"), show=False, id="interaction.no_product"
        ),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(cls="InteractionDialog")
        + """
    InteractionDialog #product { width: 100%; content-align: left middle; }
    """
    )

    def __init__(
        self,
        company_id: int | None,
        mode: str = LOG,
        *,
        company_name: str | None = None,
        types: Sequence[EventTypeInfo] | None = None,
        contacts: Sequence[tuple[str, int]] = (),
        prefill: EventInput | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.company_id = company_id
        self.mode = mode
        self.company_name = company_name
        self.types: list[EventTypeInfo] = list(types or ())
        self.contacts = list(contacts)
        self.prefill = prefill
        self.title_text = title
        self.type_index = 0
        self.product_id = prefill.product_id if prefill else None
        self.product_name: str | None = None
        self._saving = False

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        prefill = self.prefill
        when = cal.to_local(prefill.event_at) if prefill else tomorrow_at_ten()
        with Vertical():
            yield Static("", id="dialog-title", classes="dialog-title")
            if self.company_name:
                yield Static(self.company_name, classes="dialog-info")
            yield Static("", id="types")
            yield Label(_("Subject"))
            yield TextField(
                value=prefill.subject if prefill else "",
                max_length=250,
                id="subject",
                placeholder=_("What was it about"),
                compact=True,
            )
            yield Static("", id="err-subject", classes="field-error -empty")
            yield Label(_("Product of interest (F4 — choose, Del — none)"))
            yield Button(self._product_label(), id="product", compact=True)
            yield Static("", id="err-product", classes="field-error -empty")
            with Vertical(id="plan-fields"):
                yield Label(_("Date and time (DD.MM.YYYY HH:MM)"))
                yield TextField(
                    value=when.strftime(MOMENT_FORMAT), max_length=20, id="when", compact=True
                )
                yield Static("", id="err-when", classes="field-error -empty")
            with Vertical(id="log-fields"):
                yield Label(_("Result"))
                yield TextField(
                    max_length=2000, id="result", placeholder=_("optional"), compact=True
                )
                yield Static("", id="err-result", classes="field-error -empty")
            if self.contacts:
                yield Label(_("Contact person"))
                contact = prefill.contact_id if prefill else None
                legal = {value for _label, value in self.contacts}
                yield Select(
                    self.contacts,
                    value=contact if contact in legal else Select.NULL,
                    prompt=_("nobody in particular"),
                    id="contact",
                    compact=True,
                )
                yield Static("", id="err-contact", classes="field-error -empty")
            yield Static("", id="form-error", classes="form-error -empty")
            yield Static(
                _("Enter — save · ↑/↓ — type · ctrl+e — log · ctrl+t — plan · Esc — cancel"),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self._apply_mode()
        self.query_one("#subject", Input).focus()
        if self.types:
            self._choose_initial_type()
        else:
            self.call_service(list_event_types, then=self._types_loaded)
        if self.product_id is not None:
            self.call_service(product_choice, self.product_id, then=self._product_chosen)

    def _types_loaded(self, types: list[EventTypeInfo]) -> None:
        self.types = list(types)
        self._choose_initial_type()

    def _choose_initial_type(self) -> None:
        wanted: Any = self.prefill.event_type if self.prefill else "call"
        for i, t in enumerate(self.types):
            if wanted in (t.id, t.code):
                self.type_index = i
                break
        self._show_types()

    def _show_types(self) -> None:
        text = Text(_("Type") + ": ")
        for i, t in enumerate(self.types):
            label = f" {i + 1} {t.label} " if i < 9 else f" {t.label} "
            text.append(label, style="reverse bold" if i == self.type_index else "")
            text.append(" ")
        self.query_one("#types", Static).update(text)

    def _apply_mode(self) -> None:
        plan = self.mode == PLAN
        self.query_one("#plan-fields").display = plan
        self.query_one("#log-fields").display = not plan
        title = self.title_text or (_("Plan an interaction") if plan else _("Log an interaction"))
        self.query_one("#dialog-title", Static).update(title)

    # --- the product of interest --------------------------------------------------------

    def _product_label(self) -> str:
        if self.product_id is None:
            return _("none — F4 to choose")
        return self.product_name or "…"

    def _product_chosen(self, product: ProductChoice | None) -> None:
        if product is not None:
            self.product_id, self.product_name = product.id, product.name
            self.query_one("#product", Button).label = self._product_label()

    def action_pick_product(self) -> None:
        from qstui.screens.dialogs.product_picker import ProductPicker

        self.app.push_screen(ProductPicker(), self._product_chosen)

    def action_clear_product(self) -> None:
        if self.focused is self.query_one("#product", Button):
            self.product_id = self.product_name = None
            self.query_one("#product", Button).label = self._product_label()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "product":
            event.stop()
            self.action_pick_product()
            return
        super().on_button_pressed(event)

    # --- keys ---------------------------------------------------------------------------

    def action_step_type(self, step: int) -> None:
        if self.types:
            self.type_index = (self.type_index + step) % len(self.types)
            self._show_types()

    def action_pick_type(self, index: int) -> None:
        if 0 <= index < len(self.types):
            self.type_index = index
            self._show_types()

    def action_mode(self, mode: str) -> None:
        self.mode = mode
        self._apply_mode()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    # --- saving -------------------------------------------------------------------------

    def _errors(self, errors: dict[str, str]) -> None:
        places = {
            "subject": "err-subject",
            "event_at": "err-when",
            "when": "err-when",
            "result_text": "err-result",
            "contact": "err-contact",
            "product": "err-product",
        }
        if self.mode == LOG:
            places["event_at"] = "form-error"
        shown: dict[str, list[str]] = {}
        for key, message in errors.items():
            place = places.get(key, "form-error")
            if not self.query(f"#{place}"):
                place = "form-error"
            shown.setdefault(place, []).append(message)
        for place in (
            "err-subject",
            "err-when",
            "err-result",
            "err-contact",
            "err-product",
            "form-error",
        ):
            for widget in self.query(f"#{place}"):
                say(widget, "\n".join(shown.get(place, [])))  # type: ignore[arg-type]

    def action_save(self) -> None:
        if self._saving:
            return
        if not self.types:
            self._errors({"type": _("The interaction types are still loading")})
            return
        subject = self.query_one("#subject", Input).value
        event_at: datetime | None = None
        if self.mode == PLAN:
            try:
                event_at = cal.to_utc(parse_moment(self.query_one("#when", Input).value))
            except ValueError:
                self._errors({"when": _("Enter a date and time as DD.MM.YYYY HH:MM")})
                self.query_one("#when", Input).focus()
                return
        result = self.query_one("#result", Input).value.strip() or None
        contact_id = None
        if self.query("#contact"):
            contact_id = self.query_one("#contact", Select).selection
        self._errors({})
        self._saving = True
        self.call_service(
            save_interaction,
            self.mode,
            self.company_id,
            self.types[self.type_index].id,
            subject,
            event_at,
            result if self.mode == LOG else None,
            contact_id,
            self.prefill,
            self.product_id,
            then=self._saved,
            on_error=self._failed,
            group="interaction-save",
        )

    def _saved(self, event_id: int) -> None:
        self._saving = False
        self.dismiss(event_id)

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self.route_error(
            error, fields=self._field_errors, message=lambda text: self._errors({"": text})
        )

    def _field_errors(self, errors: dict[str, str]) -> None:
        self._errors(errors)
        if "subject" in errors:
            self.query_one("#subject", Input).focus()


# --- completing a plan ---------------------------------------------------------------------


def complete_plan(
    ctx: Any, event_id: int, version: int | None, result_id: int | None, text: str | None
) -> Completion:
    """Runs in a worker; without a version the plan is read first."""
    if version is None:
        version = calendar_lists.get_event(ctx, event_id).version
    return calendar_service.complete_event(
        ctx, event_id, version, result_id=result_id, result_text=text
    )


class CompleteDialog(SaveOrCancel, Localized, ServiceCalls, ModalScreen[Completion | None]):
    """Complete a plan: its result (from the reference book and/or a text). Enter saves."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="complete.cancel"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="complete.save"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(cls="CompleteDialog")

    def __init__(self, event_id: int, summary: str = "") -> None:
        super().__init__()
        self.event_id = event_id
        self.summary = summary
        self.version: int | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Complete the plan"), classes="dialog-title")
            yield Static(self.summary, id="plan-info", classes="dialog-info")
            yield Label(_("Result"))
            yield Select[int](
                [], prompt=_("choose a result (optional)"), id="result-id", compact=True
            )
            yield Static("", id="err-result-id", classes="field-error -empty")
            yield Label(_("What came of it"))
            yield TextField(
                max_length=2000, id="result-text", placeholder=_("optional"), compact=True
            )
            yield Static("", id="err-result-text", classes="field-error -empty")
            yield Static("", id="form-error", classes="form-error -empty")
            yield Static(
                _("Enter — complete; then the next plan is offered · Esc — cancel"),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Complete"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#result-id", Select).focus()  # the fields top to bottom
        self.call_service(calendar_lists.get_event, self.event_id, then=self._loaded)
        self.call_service(list_event_results, then=self._results)

    def _loaded(self, event: EventCard) -> None:
        self.version = event.version
        row = event.row
        self.query_one("#plan-info", Static).update(
            f"{fmt.moment(row.event_at)} · {row.type_name} · {row.subject}"
            + (f" · {row.company_name}" if row.company_name else "")
        )

    def _results(self, results: list[EventResultInfo]) -> None:
        select = self.query_one("#result-id", Select)
        select.set_options([(r.name, r.id) for r in results])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_key(self, event: events.Key) -> None:
        """A letter typed where no text is taken (the result list, a button) goes into
        «What came of it»: nothing typed is lost."""
        if event.is_printable and event.character and not isinstance(self.focused, Input):
            event.stop()
            text = self.query_one("#result-text", Input)
            text.focus()
            text.insert_text_at_cursor(event.character)

    def _typed(self) -> tuple[int | None, str | None]:
        result_id = self.query_one("#result-id", Select).selection
        text = self.query_one("#result-text", Input).value.strip() or None
        return result_id, text

    def action_save(self) -> None:
        if self._saving:
            return
        result_id, text = self._typed()
        for place in ("#err-result-id", "#err-result-text", "#form-error"):
            say(self.query_one(place, Static), "")
        if result_id is None and text is None:  # never completed with no result at all
            say(
                self.query_one("#form-error", Static),
                _("Choose a result or write what came of it"),
            )
            self.query_one("#result-id", Select).focus()
            return
        self._saving = True
        self.call_service(
            complete_plan,
            self.event_id,
            self.version,
            result_id,
            text,
            then=self._done,
            on_error=self._failed,
            group="complete-save",
        )

    def _done(self, completion: Completion) -> None:
        self._saving = False
        self.dismiss(completion)

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self.route_error(
            error,
            fields=self._field_errors,
            conflict=self._conflict,
            message=lambda text: say(self.query_one("#form-error", Static), text),
        )

    def _field_errors(self, errors: dict[str, str]) -> None:
        places = {"result": "#err-result-id", "result_text": "#err-result-text"}
        rest = []
        for key, message in errors.items():
            if key in places:
                say(self.query_one(places[key], Static), message)
            else:
                rest.append(message)
        say(self.query_one("#form-error", Static), "\n".join(rest))

    def _conflict(self, error: Conflict) -> None:
        _result_id, text = self._typed()
        self.show_conflict(error, [(_("What came of it"), text or "")], self._take_saved)

    def _take_saved(self) -> None:
        self.version = None
        self.call_service(calendar_lists.get_event, self.event_id, then=self._loaded)
