"""Contact analysis (K4): per visible manager, how many calls, meetings, letters, demos…
were done in a period, their total, and the plans overdue now.

``w`` this week, ``m`` this month, ``l`` last month, ``p`` any period (from–to); Esc
returns to the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.calendar import ContactStats, EventTypeInfo
from qstui.domain.clock import today
from qstui.domain.names import short_name
from qstui.i18n import N_, _
from qstui.screens.dialogs.event_forms import DatesDialog
from qstui.services.calendar.contact_analysis import contact_analysis
from qstui.services.calendar.event_types import list_event_types
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.cells import ALERT
from qstui.widgets.key_footer import KeyFooter


@dataclass(frozen=True)
class Analysis:
    date_from: date
    date_to: date
    labels: dict[str, str]  # type code → its name in the interface language
    stats: list[ContactStats]


def analyse(ctx: Any, date_from: date, date_to: date) -> Analysis:
    """The figures and the names of the types (one worker, two service calls)."""
    stats = contact_analysis(ctx, date_from, date_to)
    types: list[EventTypeInfo] = list_event_types(ctx, include_inactive=True)
    return Analysis(date_from, date_to, {t.code: t.label for t in types}, stats)


def this_week(day: date) -> tuple[date, date]:
    first = cal.week_first(day)
    return first, first + timedelta(days=6)


def this_month(day: date) -> tuple[date, date]:
    return day.replace(day=1), cal.month_last(day.year, day.month)


def last_month(day: date) -> tuple[date, date]:
    previous = day.replace(day=1) - timedelta(days=1)
    return this_month(previous)


def _number(n: int, style: str = "") -> Text:
    return Text(str(n) if n else "·", style=style if n else "dim", justify="right")


class ContactAnalysisScreen(Localized, ServiceCalls, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="contact_analysis.close"),
        Binding("w", "period('week')", N_("This week"), id="contact_analysis.week"),
        Binding("m", "period('month')", N_("This month"), id="contact_analysis.month"),
        Binding("l", "period('last')", N_("Last month"), id="contact_analysis.last_month"),
        Binding("p", "custom", N_("Period…"), id="contact_analysis.period"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="contact_analysis.refresh"),
    ]
    DEFAULT_CSS = """
    ContactAnalysisScreen #analysis-title { height: auto; text-style: bold; padding: 0 1; }
    ContactAnalysisScreen #analysis-note { height: auto; color: $text-muted; padding: 0 1; }
    ContactAnalysisScreen #analysis-table { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.date_from, self.date_to = this_month(today())
        self.analysis: Analysis | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="analysis"):
            yield Static("", id="analysis-title")
            yield DataTable(id="analysis-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                _("Done interactions of the period by type; «Overdue»: plans overdue now. "
                  "w week · m month · l last month · p period · Esc back"),
                id="analysis-note",
            )  # fmt: skip
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = _("Contact analysis")
        self.action_refresh()

    def on_resize(self) -> None:
        if self.analysis is not None:
            self.call_after_refresh(self._show, self.analysis)

    def action_refresh(self) -> None:
        self.query_one("#analysis-title", Static).update(self._period_text())
        self.call_service(
            analyse,
            self.date_from,
            self.date_to,
            then=self._show,
            loading=self.query_one("#analysis-table"),
            group="analysis",
        )

    def _period_text(self) -> str:
        return _("Contact analysis: {first} – {last}").format(
            first=fmt.day(self.date_from), last=fmt.day(self.date_to)
        )

    def _show(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.query_one("#analysis-title", Static).update(self._period_text())
        table: DataTable[Any] = self.query_one("#analysis-table", DataTable)
        codes = list(analysis.stats[0].by_type) if analysis.stats else []
        wide = self.size.width >= 120
        table.clear(columns=True)
        table.add_column(_("Manager"), key="manager")
        for code in codes:
            label = analysis.labels.get(code, code)
            width = max(4, min(len(label), 24 if wide else 9))
            table.add_column(Text(label, no_wrap=True, overflow="ellipsis"), key=f"type-{code}",
                             width=width)  # fmt: skip
        table.add_column(_("Total"), key="total")
        table.add_column(_("Overdue"), key="overdue")
        sums = dict.fromkeys(codes, 0)
        total = late = 0
        for stats in analysis.stats:
            name = stats.full_name if wide else short_name(stats.full_name)
            cells = [Text(name)]
            for code in codes:
                cells.append(_number(stats.count(code)))
                sums[code] += stats.count(code)
            cells.append(_number(stats.total, "bold"))
            cells.append(_number(stats.overdue, ALERT))
            total += stats.total
            late += stats.overdue
            table.add_row(*cells, key=str(stats.user_id))
        if len(analysis.stats) > 1:
            cells = [Text(_("All"), style="bold")]
            cells += [_number(sums[code], "bold") for code in codes]
            cells += [_number(total, "bold"), _number(late, f"{ALERT} bold")]
            table.add_row(*cells, key="all")
        table.focus()

    def action_period(self, which: str) -> None:
        day = today()
        pick = {"week": this_week, "month": this_month, "last": last_month}[which]
        self.date_from, self.date_to = pick(day)
        self.action_refresh()

    def action_custom(self) -> None:
        dialog = DatesDialog(
            _("Period"),
            [("date_from", _("From"), self.date_from), ("date_to", _("To"), self.date_to)],
            _("Show"),
        )
        self.app.push_screen(dialog, self._custom_chosen)

    def _custom_chosen(self, period: list[date] | None) -> None:
        if period:
            self.date_from, self.date_to = period
            self.action_refresh()

    def action_close(self) -> None:
        self.dismiss(None)
