"""Отчеты (F6): the ready reports and «Build your own…» (a form: measure, dimensions,
dynamics, period, currency, filters). A report is computed in a worker and shown in a
``ReportView`` — table, bar chart, shares (``v``); Enter on a number lists the deals
behind it; ``e`` exports it; Esc returns to the list."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, OptionList
from textual.widgets.option_list import Option

from qstui.domain.reports import ReportOptions, ReportTable
from qstui.i18n import N_, _
from qstui.screens import report_services as reports
from qstui.screens.report_actions import ReportActions, period_of
from qstui.widgets.report_view import ReportView

CUSTOM = "custom"


class ReportsScreen(ReportActions):
    MODULE = "reports"
    AUTO_FOCUS = "#reports-list"
    BINDINGS = [
        Binding("b", "build", N_("Build your own"), id="reports.build"),
        Binding("e", "export", N_("Export"), id="reports.export"),
        Binding("escape", "to_list", N_("Back to the list"), show=False, id="reports.to_list"),
        Binding("ctrl+r", "refresh", N_("Recompute"), show=False, id="reports.refresh"),
    ]
    DEFAULT_CSS = """
    ReportsScreen ContentSwitcher { height: 1fr; }
    ReportsScreen #reports-list { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.choices: reports.Choices | None = None
        self.running: tuple[str, ReportOptions] | None = None
        self.custom: ReportOptions | None = None

    def compose_content(self) -> ComposeResult:
        with ContentSwitcher(initial="reports-list"):
            ready = [Option(_(r.title), id=r.name) for r in reports.ready_reports()]
            yield OptionList(*ready, Option(_("Build your own…"), id=CUSTOM), id="reports-list")
            yield ReportView(id="reports-view")

    @property
    def view(self) -> ReportView:
        return self.query_one("#reports-view", ReportView)

    def on_mount(self) -> None:
        self.call_service(reports.choices, then=self._got_choices, on_error=lambda _e: None)

    def _got_choices(self, choices: reports.Choices) -> None:
        self.choices = choices

    # --- computing ------------------------------------------------------------------------

    def run(self, name: str, options: ReportOptions) -> None:
        self.running = (name, options)
        self.query_one(ContentSwitcher).current = "reports-view"
        self.call_service(
            reports.run_report, name, options, then=self._show, loading=self.view, group="report"
        )

    def _show(self, table: ReportTable) -> None:
        self.report = table
        self.view.show_report(table)
        self.qapp.shown("reports")

    def action_refresh(self) -> None:
        if self.running is not None:
            self.run(*self.running)

    # --- keys -----------------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "reports-list":
            return
        event.stop()
        name = event.option.id or ""
        if name == CUSTOM:
            self.action_build()
            return
        ready = next((r for r in reports.ready_reports() if r.name == name), None)
        if ready is not None:
            defaults = ready.defaults
            if defaults.period is None and ready.yearly:
                defaults = replace(defaults, period=period_of("year"))
            self.run(name, defaults)

    def action_build(self) -> None:
        from qstui.screens.dialogs.report_form import report_form

        if self.choices is None:
            self.notify(_("One moment: the choices are being read"))
            return

        def done(options: ReportOptions | None) -> None:
            if options is not None:
                self.custom = options
                self.run(CUSTOM, options)

        self.app.push_screen(report_form(self.custom, self.choices), done)

    def action_to_list(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        if switcher.current != "reports-list":
            switcher.current = "reports-list"
            self.query_one("#reports-list", OptionList).focus()

    def on_report_view_drill(self, event: ReportView.Drill) -> None:
        event.stop()
        self.drill_into(event.table, event.row, event.column_key, event.label)
