"""The calendar module (K2–K4): my day, week and month, or another visible manager's;
the overdue plans; planning, moving, completing, cancelling and deleting interactions;
the contact analysis.

Keys: ``d``/``w``/``m`` day, week, month; ``o`` overdue plans; ``,``/``.`` the previous
and next period; ``t`` today; ``g`` go to a date; ``u`` whose calendar; ``n`` new plan;
``c`` (or Enter on a plan) complete it; ``r`` move it; ``x`` cancel it; Del delete; ``k``
the client card; ``a`` contact analysis. The day a new plan gets is the one under the
cursor (the shown day in the day view).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Static

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.calendar import Completion, EventRow, ManagerRef, PeriodView
from qstui.domain.clock import today
from qstui.domain.enums import EventStatus
from qstui.domain.errors import AccessDenied
from qstui.domain.names import short_name
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.screens.calendar_views import (
    EventTable,
    ManagerPicker,
    MonthGrid,
    WeekGrid,
    day_title,
    month_title,
)
from qstui.screens.dialogs.event_forms import (
    DatesDialog,
    EventInfoDialog,
    MoveDialog,
    PlanDialog,
    summary,
)
from qstui.screens.dialogs.interaction import CompleteDialog
from qstui.screens.dialogs.message import ConfirmDialog
from qstui.services import rights as R
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.widgets.cells import ALERT


def shift_month(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = cal.month_last(year, month + 1)
    return date(year, month + 1, min(day.day, last.day))


class CalendarScreen(ModuleScreen):
    MODULE = "calendar"
    AUTO_FOCUS = "#cal-list"
    BINDINGS = [
        Binding("n", "new", N_("New plan"), id="calendar.new"),
        Binding("c", "complete", N_("Complete"), id="calendar.complete"),
        Binding("r", "move", N_("Move"), id="calendar.move"),
        Binding("x", "cancel_plan", N_("Cancel plan"), id="calendar.cancel_plan"),
        Binding("delete", "delete", N_("Delete"), id="calendar.delete"),
        Binding("k", "client", N_("Client card"), show=False, id="calendar.client"),
        Binding("d", "view('day')", N_("Day"), show=False, id="calendar.day"),
        Binding("w", "view('week')", N_("Week"), show=False, id="calendar.week"),
        Binding("m", "view('month')", N_("Month"), show=False, id="calendar.month"),
        Binding("o", "view('overdue')", N_("Overdue"), show=False, id="calendar.overdue"),
        Binding("comma", "shift(-1)", N_("Previous period"), show=False, id="calendar.previous"),
        Binding("full_stop", "shift(1)", N_("Next period"), show=False, id="calendar.next"),
        Binding("t", "today", N_("Today"), show=False, id="calendar.today"),
        Binding("g", "go_to", N_("Go to date"), show=False, id="calendar.go_to"),
        Binding("u", "manager", N_("Whose calendar"), show=False, id="calendar.manager"),
        Binding("a", "analysis", N_("Contact analysis"), show=False, id="calendar.analysis"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="calendar.refresh"),
    ]
    DEFAULT_CSS = """
    #cal-title { height: auto; padding: 0 1; }
    #cal-keys { height: auto; color: $text-muted; padding: 0 1; }
    #cal-switcher { height: 1fr; }
    #cal-switcher > DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.view = "day"
        self.day = today()
        self.user_id: int | None = None  # None: my own calendar
        self.manager_name = ""
        self.data: PeriodView | list[EventRow] | None = None
        self.shown_view = ""
        self.keep: int | None = None  # the event to keep the cursor on after a reload
        self._token = 0
        self._failed = False
        self._shown_widget: str | None = None
        self._rendered_view = ""

    # --- layout -------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        with Vertical(id="calendar"):
            yield Static("", id="cal-title")
            yield Static("", id="cal-keys")
            with ContentSwitcher(id="cal-switcher", initial="cal-list"):
                yield EventTable(id="cal-list")
                yield WeekGrid(id="cal-week")
                yield MonthGrid(id="cal-month")

    @staticmethod
    def _keys_hint(width: int = 0) -> Text:
        """The view keys, packed into lines of ``width`` (0: one line) without ever
        parting a key from its label."""
        pairs = [
            ("d", _("day")),
            ("w", _("week")),
            ("m", _("month")),
            ("o", _("overdue")),
            (", .", _("period")),
            ("t", _("today")),
            ("g", _("date")),
            ("u", _("whose")),
            ("k", _("client")),
            ("a", _("analysis")),
            ("F1", _("keys")),
        ]
        text = Text(no_wrap=True, overflow="ellipsis")
        used = 0
        for n, (key, label) in enumerate(pairs):
            size = len(key) + 1 + len(label)
            if n:
                if width and used + 2 + size > width:
                    text.append("\n")
                    used = 0
                else:
                    text.append("  ")
                    used += 2
            text.append(key, style="bold")
            text.append(f" {label}")
            used += size
        return text

    @property
    def switcher(self) -> ContentSwitcher:
        return self.query_one("#cal-switcher", ContentSwitcher)

    @property
    def table(self) -> EventTable:
        return self.query_one("#cal-list", EventTable)

    @property
    def week_grid(self) -> WeekGrid:
        return self.query_one("#cal-week", WeekGrid)

    @property
    def month_grid(self) -> MonthGrid:
        return self.query_one("#cal-month", MonthGrid)

    def _room(self) -> int:
        return self.switcher.size.width or (self.app.size.width - 22)

    # --- loading ------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.qapp.ctx is not None and not self.manager_name:
            self.manager_name = self.qapp.ctx.full_name
        if not self._failed:
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def load(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Fetch what the current view shows (in a worker)."""
        self._token += 1
        token, view, day = self._token, self.view, self.day
        fn: Callable[..., Any]
        args: tuple[Any, ...]
        if view == "day":
            fn, args = calendar_lists.day, (day,)
        elif view == "week":
            fn, args = calendar_lists.week, (day,)
        elif view == "month":
            fn, args = calendar_lists.month, (day.year, day.month)
        else:
            fn, args = calendar_lists.overdue, ()
        self.call_service(
            fn,
            *args,
            user_id=self.user_id,
            then=lambda data: self._loaded(token, view, data),
            on_error=on_error or self._load_failed,
            loading=self.switcher,
            group="calendar-load",
        )

    def _load_failed(self, error: BaseException) -> None:
        self._failed = True
        self.qapp.show_error(error)

    def _loaded(self, token: int, view: str, data: PeriodView | list[EventRow]) -> None:
        if token != self._token:
            return
        self._failed = False
        self.data = data
        self.shown_view = view
        self.render_view()
        self.qapp.shown(f"calendar.{view}")

    def render_view(self) -> None:
        """Show ``self.data`` in the widget of its view (again after a resize)."""
        data, view = self.data, self.shown_view
        if data is None:
            return
        keep, self.keep = self.keep, None
        same_kind = {view, self._rendered_view} <= {"day", "week"} or view == self._rendered_view
        if keep is None and same_kind:  # the cursor stays on the same interaction
            current = self.current_event
            keep = current.id if current else None
        self._rendered_view = view
        if view == "month":
            assert isinstance(data, PeriodView)
            self.switcher.current = "cal-month"
            self.month_grid.show(data, self.day)
            widget: DataTable[Any] = self.month_grid
        elif view == "week" and WeekGrid.fits(self._room()):
            assert isinstance(data, PeriodView)
            self.switcher.current = "cal-week"
            self.week_grid.show(data, keep, self.day)
            widget = self.week_grid
        else:
            self.switcher.current = "cal-list"
            if view == "day":
                assert isinstance(data, PeriodView)
                self.table.show_day(data, keep)
            elif view == "week":
                assert isinstance(data, PeriodView)
                self.table.show_week(data, keep)
                if keep is None:
                    self.table.select_day(self.day)
            else:
                assert isinstance(data, list)
                self.table.show_overdue(data, keep)
            widget = self.table
        self._title()
        hint = self.query_one("#cal-keys", Static)
        hint.update(self._keys_hint(max(20, hint.content_size.width or self._room() - 2)))
        focused = self.focused
        if focused is not widget and (
            focused is None or focused.id != "modules" or widget.id != self._shown_widget
        ):
            widget.focus()
        self._shown_widget = widget.id

    def on_resize(self) -> None:
        if self.data is not None:
            self.call_after_refresh(self.render_view)

    def _title(self) -> None:
        data, view = self.data, self.shown_view
        wide = self._room() >= 100
        whose = self.manager_name if wide else short_name(self.manager_name)
        text = Text()
        if view == "overdue":
            assert isinstance(data, list)
            text.append(_("Overdue plans: {n}").format(n=len(data)), style=ALERT)
            text.append(f" · {whose}")
            self.query_one("#cal-title", Static).update(text)
            return
        assert isinstance(data, PeriodView)
        if view == "day":
            title = day_title(data.first)
            if data.first == today():
                title += f" ({_('today')})"
        elif view == "week":
            title = _("Week {first} – {last}").format(
                first=data.first.strftime("%d.%m"), last=fmt.day(data.last)
            )
        else:
            title = month_title(data.first)
        text.append(title, style="bold")
        text.append(f" · {whose}")
        counts = data.counts  # the period's, however many rows were loaded
        planned, done, late = counts.planned, counts.done, counts.overdue
        stats = Text(_("planned {planned}, done {done}").format(planned=planned, done=done),
                     style="dim")  # fmt: skip
        if late:
            stats.append(", ")
            stats.append(_("overdue {n}").format(n=late), style=ALERT)
        widget = self.query_one("#cal-title", Static)
        width = widget.content_size.width or self._room() - 2
        fits = len(text.plain) + 2 + len(stats.plain) <= width
        text.append("  " if fits else "\n")  # the figures never split across lines
        text.append_text(stats)
        widget.update(text)

    # --- what is under the cursor -------------------------------------------------------

    @property
    def current_event(self) -> EventRow | None:
        if self.shown_view == "month" or self.data is None:
            return None
        if self.switcher.current == "cal-week":
            return self.week_grid.current
        line = self.table.current
        return line.event if line else None

    def _need_event(self) -> EventRow | None:
        event = self.current_event
        if event is None:
            self.notify(_("Put the cursor on an interaction first"), severity="warning")
        return event

    def _need_plan(self) -> EventRow | None:
        event = self._need_event()
        if event is not None and event.status != EventStatus.PLANNED:
            self.notify(_("Only a planned interaction can be changed this way"),
                        severity="warning")  # fmt: skip
            return None
        return event

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        line = self.table.current if event.data_table is self.table else None
        if line is not None and self.shown_view == "week":
            self.day = line.day

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.data_table is self.month_grid:
            day = self.month_grid.current_day
        elif event.data_table is self.week_grid:
            day = self.week_grid.current_day
        else:
            return
        if day is not None:
            self.day = day

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        line = self.table.current
        if line is None:
            return
        if line.event is None:
            self._open_day(line.day)
        else:
            self._open_event(line.event)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if event.data_table is self.month_grid:
            day = self.month_grid.current_day
            if day is not None:
                self._open_day(day)
        elif event.data_table is self.week_grid:
            row = self.week_grid.current
            if row is not None:
                self._open_event(row)
            elif self.week_grid.current_day is not None:
                self._open_day(self.week_grid.current_day)

    def _open_day(self, day: date) -> None:
        self.day = day
        self.action_view("day")

    def _open_event(self, event: EventRow) -> None:
        if event.status == EventStatus.PLANNED:
            self._complete(event)
        else:
            self.app.push_screen(EventInfoDialog(event), self._info_closed)

    def _info_closed(self, result: str | None) -> None:
        if result == "client":
            self.action_client()

    # --- navigation ---------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.view = view
        self.load()

    def action_shift(self, step: int) -> None:
        if self.view == "overdue":
            return
        if self.view == "day":
            self.day += timedelta(days=step)
        elif self.view == "week":
            self.day += timedelta(days=7 * step)
        else:
            self.day = shift_month(self.day, step)
        self.load()

    def action_today(self) -> None:
        self.day = today()
        if self.view == "overdue":
            self.view = "day"
        self.load()

    def action_go_to(self) -> None:
        dialog = DatesDialog(_("Go to date"), [("day", _("Date"), self.day)], _("Go"))
        self.app.push_screen(dialog, self._went)

    def _went(self, days: list[date] | None) -> None:
        if not days:
            return
        self.day = days[0]
        if self.view == "overdue":
            self.view = "day"
        self.load()

    def action_manager(self) -> None:
        self.app.push_screen(ManagerPicker(self.user_id or self._me()), self._manager_chosen)

    def _me(self) -> int | None:
        return self.qapp.ctx.user_id if self.qapp.ctx else None

    def _manager_chosen(self, manager: ManagerRef | None) -> None:
        if manager is None:
            return
        previous = (self.user_id, self.manager_name)

        def refused(error: BaseException) -> None:
            self.user_id, self.manager_name = previous
            self.load()
            self.qapp.show_error(error)

        self.user_id = None if manager.id == self._me() else manager.id
        self.manager_name = manager.full_name
        self.load(on_error=refused)

    def action_analysis(self) -> None:
        from qstui.screens.dialogs.contact_analysis import ContactAnalysisScreen

        ctx = self.qapp.ctx
        if ctx is not None and not ctx.has(R.REPORTS):
            self.qapp.show_error(AccessDenied(R.REPORTS))
            return
        self.app.push_screen(ContactAnalysisScreen())

    # --- changing interactions ----------------------------------------------------------

    def action_new(self) -> None:
        self.app.push_screen(PlanDialog(self.day, responsible_id=self.user_id), self._planned)

    def _planned(self, event_id: int | None) -> None:
        if event_id is not None:
            self.keep = event_id
            self._changed(_("Plan saved"))

    def _moved(self, version: int | None) -> None:
        if version is not None:
            self._changed(_("The plan is moved"))

    def action_move(self) -> None:
        event = self._need_plan()
        if event is not None:
            self.keep = event.id
            self.app.push_screen(MoveDialog(event), self._moved)

    def action_complete(self) -> None:
        event = self._need_plan()
        if event is not None:
            self._complete(event)

    def _complete(self, event: EventRow) -> None:
        def completed(result: Completion | None) -> None:
            if result is None:
                return
            self.notify(_("Done: {subject}").format(subject=event.subject))
            self.load()
            self.app.push_screen(
                PlanDialog(
                    base=result.next_plan,
                    client_name=event.company_name,
                    title=_("Plan the next interaction?"),
                    summary_text=_("Esc — no next plan"),
                ),
                self._planned,
            )

        self.keep = event.id
        self.app.push_screen(CompleteDialog(event.id, summary(event)), completed)

    def action_cancel_plan(self) -> None:
        event = self._need_plan()
        if event is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(
                    calendar_service.cancel_event, event.id, event.version,
                    then=lambda _v: self._changed(_("The plan is cancelled")),
                    group="calendar-change",
                )  # fmt: skip

        self.app.push_screen(
            ConfirmDialog(_("Cancel the plan?\n{what}").format(what=summary(event))), answered
        )

    def action_delete(self) -> None:
        event = self._need_event()
        if event is None:
            return
        ctx = self.qapp.ctx
        if ctx is not None and not ctx.has(R.DELETE):
            self.qapp.show_error(AccessDenied(R.DELETE))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(
                    calendar_service.delete_event, event.id, event.version,
                    then=lambda _v: self._changed(_("The interaction is deleted")),
                    group="calendar-change",
                )  # fmt: skip

        self.app.push_screen(
            ConfirmDialog(
                _("Delete the interaction for good?\n{what}").format(what=summary(event))
            ),
            answered,
        )

    def _changed(self, message: str) -> None:
        self.notify(message)
        self.load()

    def action_client(self) -> None:
        event = self._need_event()
        if event is None:
            return
        if event.company_id is None:
            self.notify(_("This interaction has no client"), severity="warning")
            return
        self.qapp.open_client(event.company_id)
