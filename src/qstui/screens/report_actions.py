"""What the Воронка and Отчеты screens share: the periods a key steps through, Enter on a
number (the deals behind it), and the export key (XLSX / CSV, with the right
``export``)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from qstui.domain import clock
from qstui.domain.reports import ReportRow, ReportTable
from qstui.i18n import N_, _
from qstui.screens import report_services as reports
from qstui.screens.base import ModuleScreen

# (name, message id) in the order the period key steps through them
PERIODS: tuple[tuple[str, str], ...] = (
    ("all", N_("all time")),
    ("month", N_("this month")),
    ("quarter", N_("this quarter")),
    ("year", N_("this year")),
    ("last12", N_("last 12 months")),
)


def period_of(name: str, today: date | None = None) -> tuple[date, date] | None:
    """The inclusive dates of a named period around ``today`` (None: all time)."""
    day = today or clock.today()
    if name == "month":
        start = day.replace(day=1)
    elif name == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif name == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    elif name == "last12":
        start = date(day.year - 1, day.month, 1)
        return start, day
    else:
        return None
    months = 3 if name == "quarter" else 1
    month = start.month - 1 + months
    end = date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return start, end


def next_period(name: str) -> str:
    names = [n for n, _title in PERIODS]
    return names[(names.index(name) + 1) % len(names)]


def period_title(name: str) -> str:
    return _(dict(PERIODS)[name])


class ReportActions(ModuleScreen):
    """A module screen showing a ``ReportTable`` (``self.report``)."""

    report: ReportTable | None = None

    def drill_into(self, table: ReportTable, row: ReportRow, column_key: str, what: str) -> None:
        from qstui.screens.dialogs.report_drill import DrillDialog

        self.app.push_screen(DrillDialog(table, row, column_key, what))

    def action_export(self) -> None:
        from qstui.screens.dialogs.report_export import ExportDialog

        if self.report is None:
            return
        if not reports.can_export(self.qapp.ctx):
            self.notify(_("Exporting needs the right «Export data»"), severity="warning")
            return

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(_("Saved: {path}").format(path=path))

        self.app.push_screen(ExportDialog(self.report), done)
