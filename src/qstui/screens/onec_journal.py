"""«1C: exchange journal» (E9): the exchange runs, newest first — when, who, what, with
which base, how it ended, its counts and summary; a failed run in the alert red. Enter
on a run shows its log lines (``OnecRunLogScreen``); Esc returns. ``n`` loads the next
page of older runs, ``ctrl+r`` reads the journal again.

Opened from the command palette (with ``onec.exchange`` or ``admin``).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from qstui.domain import formatting as fmt
from qstui.domain.enums import LogLevel
from qstui.i18n import N_, _
from qstui.services.onec.journal_read import (
    PAGE,
    LogEntry,
    RunEntry,
    kind_label,
    list_runs,
    run_log,
    status_label,
)
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.cells import ALERT
from qstui.widgets.key_footer import KeyFooter

RUN_COLUMNS = (
    ("when", N_("When")),
    ("who", N_("Who")),
    ("kind", N_("Kind")),
    ("base", N_("Base")),
    ("status", N_("Status")),
    ("created", N_("Created")),
    ("updated", N_("Updated")),
    ("skipped", N_("Skipped")),
    ("errors", N_("Errors")),
    ("summary", N_("Summary")),
)
LEVELS = {
    LogLevel.INFO: N_("info"),
    LogLevel.WARNING: N_("warning"),
    LogLevel.ERROR: N_("error"),
}
LEVEL_STYLES = {LogLevel.ERROR: ALERT, LogLevel.WARNING: "bold"}


def _count(value: int, style: str = "") -> Text:
    return Text(str(value), style=style, justify="right")


def run_cells(run: RunEntry) -> list[Any]:
    """A run as the table's cells; a failed run is in the alert red."""
    style = ALERT if run.failed else ""
    return [
        Text(fmt.moment(run.started_at), style=style),
        run.user,
        kind_label(run.kind),
        run.base,
        Text(status_label(run.status), style=style),
        _count(run.created),
        _count(run.updated),
        _count(run.skipped),
        _count(run.errors, ALERT if run.errors else ""),
        Text(run.error_text or run.summary, style=style),
    ]


class OnecJournalScreen(Localized, ServiceCalls, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="onec_journal.close"),
        Binding("enter", "open_run", N_("Log"), id="onec_journal.open"),
        Binding("n", "more", N_("Older runs"), id="onec_journal.more"),
        Binding("ctrl+r", "refresh", N_("Refresh"), id="onec_journal.refresh"),
    ]
    DEFAULT_CSS = """
    OnecJournalScreen #journal-status { height: auto; padding: 0 1; }
    OnecJournalScreen #journal-table { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunEntry] = []
        self.complete = False  # every run is loaded

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="journal-status")
        yield DataTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = _("1C: exchange journal")
        table: DataTable[Any] = self.query_one(DataTable)
        for key, label in RUN_COLUMNS:
            table.add_column(_(label), key=key)
        self.action_refresh()

    def action_refresh(self) -> None:
        self.runs, self.complete = [], False
        self.query_one(DataTable).clear()
        self._load()

    def action_more(self) -> None:
        if not self.complete:
            self._load()

    def _load(self) -> None:
        self.call_service(
            list_runs,
            offset=len(self.runs),
            limit=PAGE,
            then=self._loaded,
            loading=self.query_one(DataTable),
            group="journal",
        )

    def _loaded(self, runs: list[RunEntry]) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        for run in runs:
            table.add_row(*run_cells(run), key=str(run.id))
        self.runs.extend(runs)
        self.complete = len(runs) < PAGE
        if not self.runs:
            text = _("No exchange runs yet")
        elif self.complete:
            text = _("{count} runs · Enter — the run's log").format(count=len(self.runs))
        else:
            text = _("The newest {count} runs · Enter — the run's log, n — older runs").format(
                count=len(self.runs)
            )
        self.query_one("#journal-status", Static).update(text)
        table.focus()

    def action_open_run(self) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.runs):
            self.app.push_screen(OnecRunLogScreen(self.runs[table.cursor_row].id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_close(self) -> None:
        self.dismiss(None)


class OnecRunLogScreen(Localized, ServiceCalls, Screen[None]):
    """One run: its line of the journal, its error, and its log lines."""

    BINDINGS = [Binding("escape", "close", N_("Back"), id="onec_run_log.close")]
    DEFAULT_CSS = """
    OnecRunLogScreen #run-head { height: auto; padding: 0 1; }
    OnecRunLogScreen #run-log { height: 1fr; }
    """

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="run-head")
        yield DataTable(id="run-log", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = _("1C: exchange run {id}").format(id=self.run_id)
        table: DataTable[Any] = self.query_one(DataTable)
        table.add_column(_("When"), key="when")
        table.add_column(_("Level"), key="level")
        table.add_column(_("Message"), key="message")
        self.call_service(run_log, self.run_id, then=self._loaded, loading=table)

    def _loaded(self, loaded: tuple[RunEntry, list[LogEntry]]) -> None:
        run, lines = loaded
        style = ALERT if run.failed else ""
        head = Text()
        head.append(
            f"{fmt.moment(run.started_at)} · {run.user or _('system')} · "
            f"{kind_label(run.kind)} · {run.base or '-'} · "
        )
        head.append(status_label(run.status), style=style)
        head.append("\n")
        head.append(run.error_text or run.summary, style=style)
        self.query_one("#run-head", Static).update(head)
        table: DataTable[Any] = self.query_one(DataTable)
        for line in lines:
            level_style = LEVEL_STYLES.get(line.level, "")
            table.add_row(
                fmt.moment(line.logged_at),
                Text(_(LEVELS[line.level]), style=level_style),
                Text(line.message, style=level_style if line.level == LogLevel.ERROR else ""),
            )
        if not lines:
            table.add_row("", "", _("No log lines"))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
