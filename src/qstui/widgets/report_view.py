"""Any ``ReportTable`` on the screen, three ways switched by ``v``: a table (pivoted by
period when the report has dynamics, with totals), a bar chart (textual-plotext) and a
share view — each line's percent of the total as a sorted horizontal bar with the
percent and the value (a pie chart cannot be drawn legibly in a terminal's cells). ``m``
switches the measure shown when the report has several. The report's notes (currency
rule, filters, visibility) stay above. Enter on a number posts ``ReportView.Drill``.

Everything fits 80×24: the table scrolls, the chart is drawn in whatever room is left,
the share bars take the width there is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from qstui.domain import formatting as fmt
from qstui.domain.reports import Column, ColumnKind, ReportRow, ReportTable
from qstui.i18n import N_, _
from qstui.ui.localized import Localized
from qstui.widgets.report_pivot import (
    Layout,
    bars,
    default_measure,
    layout,
    series,
    show,
    summable,
)

VIEWS = ("table", "chart", "shares")
VIEW_TITLES = {"table": N_("table"), "chart": N_("bar chart"), "shares": N_("shares")}
MAX_SERIES = 6  # lines drawn in a chart over time; the rest are in the table
SHARE_BAR = "█"
LABEL_ROOM = 18  # a pivot's row names on a narrow screen
WIDE = 120
BAR_STYLE = "cyan"  # an ANSI colour: the same in 16- and 256-colour terminals


class ReportView(Localized, Vertical):
    BINDINGS = [
        Binding("v", "next_view", N_("Table / chart / shares"), id="report_view.view"),
        Binding("m", "next_measure", N_("Measure"), id="report_view.measure"),
    ]
    DEFAULT_CSS = """
    ReportView { height: 1fr; }
    ReportView #report-title { height: auto; padding: 0 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    ReportView #report-notes { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    ReportView ContentSwitcher { height: 1fr; }
    ReportView DataTable, ReportView PlotextPlot, ReportView OptionList { height: 1fr; }
    """

    can_focus = True

    class Drill(Message):
        """Enter on a number: the keys behind it (a missing key: any value)."""

        def __init__(self, table: ReportTable, row: ReportRow, column_key: str, label: str) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.column_key = column_key
            self.label = label  # what the number is: "Иванов · 2026-03"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report: ReportTable | None = None
        self.view = "table"
        self.measure: Column | None = None
        self.shown: Layout | None = None
        self._share_keys: list[tuple[dict[str, Any], str]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="report-title")
        yield Static("", id="report-notes")
        with ContentSwitcher(initial="report-table"):
            yield DataTable(id="report-table", cursor_type="cell", zebra_stripes=True)
            yield PlotextPlot(id="report-chart")
            yield OptionList(id="report-shares")

    # --- what is shown ------------------------------------------------------------------

    def show_report(self, report: ReportTable) -> None:
        keep = self.measure.key if self.measure is not None else None
        self.report = report
        measures = report.measure_columns
        self.measure = next((c for c in measures if c.key == keep), None) or default_measure(report)
        self._draw()

    def set_view(self, view: str) -> None:
        self.view = view
        self._draw()

    def action_next_view(self) -> None:
        self.set_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])

    def action_next_measure(self) -> None:
        if self.report is None or not self.report.measure_columns:
            return
        measures = self.report.measure_columns
        index = measures.index(self.measure) if self.measure in measures else -1
        self.measure = measures[(index + 1) % len(measures)]
        self._draw()

    def focus_view(self) -> None:
        """The table or the share list takes the keys; the chart has no cursor, so the
        view itself does (its keys keep working)."""
        if self.view == "chart":
            self.focus()
        else:
            self.query_one(f"#report-{self.view}").focus()

    def _draw(self) -> None:
        report = self.report
        if report is None:
            return
        self._head(report)
        switcher = self.query_one(ContentSwitcher)
        switcher.current = f"report-{self.view}"
        if self.view == "table":
            self._table(report)
        elif self.view == "chart":
            self._chart(report)
        else:
            self._shares(report)
        self.focus_view()

    def _head(self, report: ReportTable) -> None:
        line = Text()
        line.append(f"[{_(VIEW_TITLES[self.view])}] ", style="bold")
        line.append(report.title, style="bold")
        facts = []
        if report.period is not None:
            start, end = report.period
            facts.append(f"{fmt.day(start)}–{fmt.day(end)}")
        if self.measure is not None and len(report.measure_columns) > 1:
            facts.append(self.measure.title)
        if facts:
            line.append("\n" + " · ".join(facts))
        self.query_one("#report-title", Static).update(line)
        self.query_one("#report-notes", Static).update("\n".join(report.notes))

    def _table(self, report: ReportTable) -> None:
        table = self.query_one("#report-table", DataTable)
        self.shown = layout(report, self.measure, _("Total"))
        table.clear(columns=True)
        for title in self.shown.headers:
            table.add_column(title)
        # the rows' names stay in view while the periods scroll (cut on a narrow screen)
        table.fixed_columns = 1 if self.shown.headers else 0
        room = LABEL_ROOM if self.app.size.width < WIDE else None
        last = len(self.shown.rows) - 1
        for n, row in enumerate(self.shown.rows):
            bold = "bold" if self.shown.totals and n == last else ""
            table.add_row(
                *(
                    Text(
                        _clip(c.text, room) if room and i == 0 else c.text,
                        style=bold,
                        justify="right" if c.number else "left",
                    )
                    for i, c in enumerate(row)
                )
            )

    def _chart(self, report: ReportTable) -> None:
        plot = self.query_one("#report-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        measure = self.measure
        if measure is None:
            plot.refresh()
            return
        scale, unit = _scale(report, measure)
        labels, lines = series(report, measure)
        width = max(plot.size.width, 40)
        if labels and lines:
            lines = sorted(lines, key=lambda item: -sum(item[1]))[:MAX_SERIES]
            values = [[v / scale for v in line] for _name, line in lines]
            names = [_clip(name, 14) for name, _line in lines]
            if len(values) == 1:
                plt.bar(labels, values[0])
            else:
                plt.multiple_bar(labels, values, labels=names)
        else:
            found = bars(report, measure)
            room = max(8, width // 4)
            plt.bar(
                [_clip(b.label, room) for b in found],
                [float(b.value) / scale for b in found],
                orientation="h",
            )
        plt.title(f"{measure.title}{unit}")
        plot.refresh()

    def _shares(self, report: ReportTable) -> None:
        shares = self.query_one("#report-shares", OptionList)
        shares.clear_options()
        self._share_keys = []
        measure = self.measure
        if measure is None or not summable(measure):
            shares.add_option(Option(_("This measure has no shares"), disabled=True))
            return
        found = sorted(bars(report, measure), key=lambda b: -b.value)
        total = sum((b.value for b in found), Decimal(0))
        width = max(self.size.width, 50) - 4
        label_room = max(10, width // 3)
        value_room = 18
        bar_room = max(5, width - label_room - value_room - 9)
        for bar in found:
            share = bar.value * 100 / total if total else Decimal(0)
            filled = round(float(share) / 100 * bar_room)
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(_clip(bar.label, label_room).ljust(label_room + 1))
            line.append(SHARE_BAR * filled, style=BAR_STYLE)
            line.append(" " * (bar_room - filled))
            line.append(f"{fmt.number(share, 1)} %".rjust(8))
            line.append(show(bar.value, measure.kind, report.currency).rjust(value_room))
            shares.add_option(Option(line))
            self._share_keys.append((bar.keys, bar.label))
        if found:
            shares.highlighted = 0

    # --- Enter on a number --------------------------------------------------------------

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.report is None or self.shown is None:
            return
        row, column = event.coordinate.row, event.coordinate.column
        if row >= len(self.shown.rows) or column >= len(self.shown.rows[row]):
            return
        cell = self.shown.rows[row][column]
        if cell.number and cell.keys is not None:
            label = " · ".join(
                text for text in (self.shown.rows[row][0].text, self.shown.headers[column]) if text
            )
            self.post_message(
                self.Drill(self.report, ReportRow({}, cell.keys), cell.column_key, label)
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.report is None or self.measure is None:
            return
        if 0 <= event.option_index < len(self._share_keys):
            keys, label = self._share_keys[event.option_index]
            self.post_message(self.Drill(self.report, ReportRow({}, keys), self.measure.key, label))

    def on_resize(self, event: events.Resize) -> None:
        if self.view != "table":
            self._draw()


def _clip(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _scale(report: ReportTable, measure: Column) -> tuple[float, str]:
    """Big money is drawn in thousands or millions (the axis stays readable)."""
    if measure.kind is not ColumnKind.MONEY:
        return 1.0, ""
    top = max((abs(float(b.value)) for b in bars(report, measure)), default=0.0)
    if top >= 1e6:
        return 1e6, ", " + _("mln {currency}").format(currency=report.currency)
    if top >= 1e4:
        return 1e3, ", " + _("thousand {currency}").format(currency=report.currency)
    return 1.0, f", {report.currency}"
