"""The widgets of the calendar module (K3): the event list of a day, a week or the
overdue plans, the week in seven columns, the month grid, and the manager chooser.

The tables are laid out for the width they get: columns share the room that is left
after the fixed ones (time, type, status), and a table that still does not fit scrolls
sideways. Every cell is a ``rich.text.Text`` (never markup: subjects are typed by people).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.calendar import DayAgenda, EventRow, ManagerRef, PeriodView
from qstui.domain.clock import today
from qstui.domain.enums import EventStatus
from qstui.domain.names import short_name
from qstui.i18n import N_, _, ngettext
from qstui.services.calendar.lists import visible_managers
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.cells import ALERT

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
WEEKDAYS_LONG = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
DONE_STYLE = "dim"
CANCELLED_STYLE = "dim strike"
TODAY_STYLE = "bold underline"
PADDING = 1  # cells on each side of a column (DataTable.cell_padding)
SCROLLBAR = 2


def weekday(day: date) -> str:
    return _(WEEKDAYS[day.weekday()])


def month_title(day: date) -> str:
    return f"{_(MONTHS[day.month - 1])} {day.year}"


def day_title(day: date) -> str:
    return f"{_(WEEKDAYS_LONG[day.weekday()])}, {fmt.day(day)}"


def short_day(day: date) -> str:
    """``Mon 23.11``"""
    return f"{weekday(day)} {day.strftime('%d.%m')}"


def cell(text: str | None, style: str = "") -> Text:
    """One line, cut with an ellipsis when the column is narrower."""
    return Text(text or "", style=style, no_wrap=True, overflow="ellipsis", end="")


def row_style(row: EventRow) -> str:
    if row.overdue:
        return ALERT
    if row.status == EventStatus.DONE:
        return DONE_STYLE
    if row.status == EventStatus.CANCELLED:
        return CANCELLED_STYLE
    return ""


def status_label(row: EventRow) -> str:
    if row.overdue:
        return _("overdue")
    if row.status == EventStatus.DONE:
        return _("done")
    if row.status == EventStatus.CANCELLED:
        return _("cancelled")
    return _("planned")


def status_mark(row: EventRow) -> str:
    """The status in one character, for narrow tables."""
    if row.overdue:
        return "!"
    if row.status == EventStatus.DONE:
        return "✓"
    if row.status == EventStatus.CANCELLED:
        return "×"
    return "·"


def more_text(n: int) -> str:
    """The line of a day whose other ``n`` events were not loaded."""
    return _("{n} more").format(n=n)


# --- the event list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    key: str
    title: str  # message id
    render: Callable[[EventRow], str]
    width: int = 0  # fixed width; 0: shares the free room by ``weight``
    weight: int = 0
    minimum: int = 8


@dataclass(frozen=True)
class Line:
    """A line of the event list: an event, or a day (a day without events in the week
    list, or the «N more» line of a day whose other events were not loaded)."""

    day: date
    event: EventRow | None = None
    first_of_day: bool = True
    more: int = 0  # the day's events not loaded (on a line without an event)


def _when(row: EventRow) -> str:
    """``20.11 08:30`` this year, ``20.11.2025 08:30`` another."""
    day = row.local_at.strftime("%d.%m") if row.day.year == today().year else fmt.day(row.day)
    return f"{day} {fmt.hhmm(row.local_at)}"


def layout(columns: Sequence[Col], room: int) -> list[int]:
    """Widths of ``columns`` in ``room`` cells: the fixed ones as given, the others share
    what is left by weight (never below their minimum: then the table scrolls)."""
    free = room - sum(c.width for c in columns) - 2 * PADDING * len(columns) - SCROLLBAR
    flexible = [c for c in columns if not c.width]
    total_weight = sum(c.weight for c in flexible) or 1
    widths = []
    for c in columns:
        if c.width:
            widths.append(c.width)
        else:
            widths.append(max(c.minimum, free * c.weight // total_weight))
    return widths


class EventTable(DataTable[Text]):
    """The events of a day (``show_day``), of a week grouped by day (``show_week``) or
    the overdue plans (``show_overdue``). Enter posts ``RowSelected``; ``current`` is the
    line under the cursor."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", cell_padding=PADDING, **kwargs)  # type: ignore[arg-type]
        self.lines: list[Line] = []

    # --- what is shown -------------------------------------------------------------------

    def _room(self) -> int:
        width = self.size.width or (self.app.size.width - 22)
        return max(width, 40)

    def _columns(self, kind: str, rows: Sequence[EventRow]) -> list[Col]:
        wide = self._room() >= 100
        type_width = max([len(r.type_name) for r in rows] + [len(_("Type"))])
        type_width = min(type_width, 14 if wide else 9)
        cols: list[Col] = []
        if kind == "week":
            cols.append(Col("day", N_("Day"), lambda r: "", width=9))
        if kind == "overdue":
            width = max([len(_when(r)) for r in rows] + [len(_("When"))])
            cols.append(Col("when", N_("When"), _when, width=width))
        else:
            cols.append(Col("time", N_("Time"), lambda r: fmt.hhmm(r.local_at), width=5))
        if not wide and kind != "overdue":
            cols.append(Col("mark", " ", status_mark, width=1))
        cols += [
            Col("type", N_("Type"), lambda r: r.type_name, width=type_width),
            Col("subject", N_("Subject"), lambda r: r.subject, weight=4, minimum=10),
            Col("client", N_("Client"), lambda r: r.company_name or "", weight=3),
        ]
        if wide or kind != "week":
            cols.append(Col("contact", N_("Contact"), lambda r: r.contact_name or "", weight=2))
        if wide and kind != "overdue":
            width = max(len(_(s)) for s in ("planned", "done", "overdue", "cancelled"))
            cols.append(Col("status", N_("Status"), status_label, width=width))
        if wide and kind == "overdue":
            cols.append(
                Col("responsible", N_("Responsible"), lambda r: short_name(r.responsible_name),
                    width=18)
            )  # fmt: skip
        return cols

    def _rebuild(self, cols: list[Col], keep: int | None) -> None:
        self.clear(columns=True)
        for col, width in zip(cols, layout(cols, self._room()), strict=True):
            self.add_column(_(col.title) if col.title.strip() else col.title, key=col.key,
                            width=width)  # fmt: skip
        target = 0
        for index, line in enumerate(self.lines):
            self.add_row(*self._cells(cols, line), key=str(index))
            if keep is not None and line.event is not None and line.event.id == keep:
                target = index
        if self.lines:
            self.move_cursor(row=target, animate=False)

    def _cells(self, cols: list[Col], line: Line) -> list[Text]:
        row = line.event
        if row is None:  # a day without events (week list), or «N more»
            out = []
            for col in cols:
                if col.key == "day":
                    out.append(day_cell(line))
                elif col.key == "subject":
                    text = more_text(line.more) if line.more else _("no interactions")
                    out.append(cell(text, "dim"))
                else:
                    out.append(cell(""))
            return out
        style = row_style(row)
        out = []
        for col in cols:
            if col.key == "day":
                out.append(day_cell(line))
            else:
                out.append(cell(col.render(row), style))
        return out

    def show_day(self, view: PeriodView, keep: int | None = None) -> None:
        lines: list[Line] = []
        for agenda in view.days:
            lines += [Line(row.day, row) for row in agenda.events]
            if agenda.more:
                lines.append(Line(agenda.day, more=agenda.more))
        self.lines = lines
        self._rebuild(self._columns("day", view.events), keep)

    def show_week(self, view: PeriodView, keep: int | None = None) -> None:
        lines: list[Line] = []
        for agenda in view.days:
            if not agenda.events and not agenda.more:
                lines.append(Line(agenda.day))
            for n, row in enumerate(agenda.events):
                lines.append(Line(agenda.day, row, first_of_day=n == 0))
            if agenda.more:
                lines.append(Line(agenda.day, first_of_day=not agenda.events, more=agenda.more))
        self.lines = lines
        self._rebuild(self._columns("week", view.events), keep)
        self.call_after_refresh(self._day_label_on_top)

    def show_overdue(self, rows: Sequence[EventRow], keep: int | None = None) -> None:
        self.lines = [Line(row.day, row) for row in rows]
        self._rebuild(self._columns("overdue", rows), keep)

    def select_day(self, day: date) -> None:
        """Put the cursor on the first line of ``day`` (week list)."""
        for index, line in enumerate(self.lines):
            if line.day == day:
                self.move_cursor(row=index, animate=False)
                self.call_after_refresh(self._day_label_on_top)
                return

    def _day_label_on_top(self) -> None:
        """Scroll the week list so that the first line of the cursor's day, the one with
        the day's label, is the top row (while the cursor stays in view): scrolled only
        as far as the cursor, the top rows would be the end of the day before, with no
        label."""
        row = self.cursor_row
        if not 0 <= row < len(self.lines):
            return
        first = row
        while first > 0 and self.lines[first - 1].day == self.lines[row].day:
            first -= 1
        if row - first < self.scrollable_content_region.height - self.header_height:
            self.scroll_to(y=first, animate=False)

    @property
    def current(self) -> Line | None:
        if not self.lines or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.lines[self.cursor_row]


def day_cell(line: Line) -> Text:
    """The day column of the week list: the day on its first line, and dimmed on the
    others, so that a scrolled list never shows rows without their day."""
    return cell(short_day(line.day), _day_style(line.day) if line.first_of_day else "dim")


def _day_style(day: date) -> str:
    return "bold" + (" underline" if day == today() else "")


# --- the week in columns ------------------------------------------------------------------


class WeekGrid(DataTable[Text]):
    """Monday–Sunday side by side (wide terminals): a column per day, an event per cell
    (time and type, then the subject and client), and under the loaded events of a
    crowded day a cell «N more» (Enter opens the day). Arrows move between days and
    events."""

    COLUMN_MIN = 16

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="cell", cell_padding=PADDING, **kwargs)  # type: ignore[arg-type]
        self.days: list[DayAgenda] = []

    @classmethod
    def fits(cls, room: int) -> bool:
        return room >= 7 * (cls.COLUMN_MIN + 2 * PADDING) + SCROLLBAR

    def show(self, view: PeriodView, keep: int | None = None, day: date | None = None) -> None:
        self.days = list(view.days)
        room = self.size.width or (self.app.size.width - 22)
        width = max(self.COLUMN_MIN, (room - SCROLLBAR) // 7 - 2 * PADDING)
        self.clear(columns=True)
        for agenda in self.days:
            count = agenda.total
            label = Text(f"{short_day(agenda.day)} ({count})" if count else short_day(agenda.day))
            label.stylize(_day_style(agenda.day))
            self.add_column(label, key=agenda.day.isoformat(), width=width)
        depth = max([len(a.events) + (1 if a.more else 0) for a in self.days] + [1])
        target = None
        for index in range(depth):
            cells = []
            for column, agenda in enumerate(self.days):
                if index < len(agenda.events):
                    row = agenda.events[index]
                    cells.append(self._cell(row))
                    if keep is not None and row.id == keep:
                        target = Coordinate(index, column)
                elif index == len(agenda.events) and agenda.more:
                    cells.append(Text(more_text(agenda.more), style="dim", no_wrap=True,
                                      overflow="ellipsis", end=""))  # fmt: skip
                else:
                    cells.append(Text(""))
            self.add_row(*cells, height=2, key=str(index))
        if target is None and day is not None and self.days:
            column = (day - self.days[0].day).days
            target = Coordinate(0, column) if 0 <= column < 7 else None
        if target is not None:
            self.move_cursor(row=target.row, column=target.column, animate=False)

    def _cell(self, row: EventRow) -> Text:
        style = row_style(row)
        first = f"{fmt.hhmm(row.local_at)} {row.type_name}"
        second = row.company_name or row.subject
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"{first}\n", style=style or "bold")
        text.append(second, style=style)
        return text

    @property
    def current_day(self) -> date | None:
        column = self.cursor_column
        return self.days[column].day if 0 <= column < len(self.days) else None

    @property
    def current(self) -> EventRow | None:
        column, index = self.cursor_column, self.cursor_row
        if not 0 <= column < len(self.days):
            return None
        events = self.days[column].events
        return events[index] if 0 <= index < len(events) else None


# --- the month grid -----------------------------------------------------------------------


class MonthGrid(DataTable[Text]):
    """A month as weeks × weekdays; each day shows how many interactions it has (and how
    many of them are overdue plans, how many done) from the counts the month view
    brings (it loads no rows). Enter on a day opens it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="cell", cell_padding=PADDING, **kwargs)  # type: ignore[arg-type]
        self.dates: dict[tuple[int, int], date] = {}
        self.counts: dict[date, int] = {}

    def show(self, view: PeriodView, day: date) -> None:
        room = self.size.width or (self.app.size.width - 22)
        width = max(5, (room - SCROLLBAR) // 7 - 2 * PADDING)
        first = cal.week_first(view.first)
        weeks = ((view.last - first).days // 7) + 1
        height = self.size.height or (self.app.size.height - 6)
        row_height = max(2, min(5, (height - 1) // weeks))
        self.clear(columns=True)
        self.dates = {}
        self.counts = {agenda.day: agenda.total for agenda in view.days}
        agendas = {agenda.day: agenda for agenda in view.days}
        for n in range(7):
            self.add_column(_(WEEKDAYS[n]), key=str(n), width=width)
        target = Coordinate(0, 0)
        for week in range(weeks):
            cells = []
            for n in range(7):
                current = first + timedelta(days=week * 7 + n)
                agenda = agendas.get(current)
                if agenda is None:
                    cells.append(Text(""))
                    continue
                self.dates[(week, n)] = current
                cells.append(self._cell(agenda, width, row_height))
                if current == day:
                    target = Coordinate(week, n)
            self.add_row(*cells, height=row_height, key=str(week))
        self.move_cursor(row=target.row, column=target.column, animate=False)

    @staticmethod
    def _cell(agenda: DayAgenda, width: int, height: int) -> Text:
        total, late, done = agenda.total, agenda.overdue, agenda.done
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(str(agenda.day.day), style=TODAY_STYLE if agenda.day == today() else "bold")
        if not total:
            return text
        text.append("\n")
        if width >= 12:
            text.append(ngettext("{n} event", "{n} events", total).format(n=total))
            if late and height >= 3:
                text.append("\n")
                text.append(_("{n} overdue").format(n=late), style=ALERT)
            if done and height >= 4:
                text.append("\n")
                text.append(_("{n} done").format(n=done), style=DONE_STYLE)
        else:
            text.append(str(total))
            if late:
                text.append(f" !{late}", style=ALERT)
        return text

    @property
    def current_day(self) -> date | None:
        return self.dates.get((self.cursor_row, self.cursor_column))

    def count_on(self, day: date) -> int | None:
        """The count the grid shows for ``day`` (None: not in this month)."""
        return self.counts.get(day)


# --- choosing whose calendar --------------------------------------------------------------


class ManagerPicker(Localized, ServiceCalls, ModalScreen[ManagerRef | None]):
    """The managers whose calendars the user may open (``visible_managers``): a
    manager sees only himself, a head his department, an administrator everyone."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="manager_picker.close")]
    DEFAULT_CSS = """
    ManagerPicker { align: center middle; }
    ManagerPicker OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, current: int | None) -> None:
        super().__init__()
        self.current = current
        self.managers: list[ManagerRef] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(_("Whose calendar"), classes="dialog-title")
            yield OptionList(id="managers")
            yield Static(_("Enter — open · Esc — close"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.call_service(visible_managers, then=self._show, on_error=self._failed,
                          loading=self.query_one("#managers"))  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        self.dismiss(None)
        self.qapp.show_error(error)

    def _show(self, managers: list[ManagerRef]) -> None:
        self.managers = managers
        options = self.query_one("#managers", OptionList)
        options.clear_options()
        for manager in managers:
            options.add_option(Option(f"{manager.full_name} ({manager.login})", id=str(manager.id)))
        ids = [m.id for m in managers]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = next((m for m in self.managers if str(m.id) == event.option.id), None)
        self.dismiss(chosen)

    def action_close(self) -> None:
        self.dismiss(None)
