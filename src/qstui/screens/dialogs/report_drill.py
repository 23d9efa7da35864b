"""What a report's number is made of: the deals (or clients) behind it, read in a
worker; Enter opens the card of the highlighted one over this list, Esc returns."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.reports import DrillKind, ReportRow, ReportTable
from qstui.i18n import N_, _
from qstui.screens import report_services as reports
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.tables import clip, fill_table

# What the list holds, by the kind of objects behind the number
_COUNTED = {
    DrillKind.DEALS: N_("{what}: {n} deals"),
    DrillKind.CLIENTS: N_("{what}: {n} clients"),
    DrillKind.EVENTS: N_("{what}: {n} interactions"),
    DrillKind.CLAIMS: N_("{what}: {n} claims"),
}
_FIRST = N_("{what}: the first {shown} of {n} — narrow the report to list the rest")
_HEADS = {
    DrillKind.DEALS: N_("Deal"),
    DrillKind.CLIENTS: N_("Client"),
    DrillKind.EVENTS: N_("Interaction"),
    DrillKind.CLAIMS: N_("Claim"),
}


def behind(
    ctx: Any, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, int, list[reports.DrillLine]]:
    """The kind of objects behind the number, how many there are, and the lines read
    (at most ``MAX_LINES`` of them)."""
    kind, ids = reports.drill(ctx, table, row, column_key)
    return kind, len(ids), reports.drill_lines(ctx, kind, ids)


class DrillDialog(Localized, ServiceCalls, ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="report_drill.close"),
    ]
    DEFAULT_CSS = """
    DrillDialog { align: center middle; }
    DrillDialog > Vertical { width: 110; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    DrillDialog #drill-title { text-style: bold; height: auto; }
    DrillDialog DataTable { height: 1fr; }
    """

    def __init__(self, table: ReportTable, row: ReportRow, column_key: str, what: str) -> None:
        super().__init__()
        self.table, self.row, self.column_key, self.what = table, row, column_key, what
        self.lines: list[reports.DrillLine] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.what, id="drill-title")
            table: DataTable[str | Text] = DataTable(id="drill-table", cursor_type="row")
            for title in (_("Deal"), _("Client"), _("Amount"), _("Manager")):
                table.add_column(title)
            yield table

    def on_mount(self) -> None:
        self.call_service(
            behind,
            self.table,
            self.row,
            self.column_key,
            then=self._show,
            loading=self.query_one("#drill-table"),
        )

    def _show(self, found: tuple[DrillKind, int, list[reports.DrillLine]]) -> None:
        kind, total, lines = found
        self.lines = lines
        title = (
            _(_COUNTED[kind]).format(what=self.what, n=total)
            if total <= len(lines)
            else _(_FIRST).format(what=self.what, shown=len(lines), n=total)
        )
        self.query_one("#drill-title", Static).update(title)
        table = self.query_one("#drill-table", DataTable)
        table.columns[next(iter(table.columns))].label = Text(_(_HEADS[kind]))
        title, client, manager = (36, 26, 22) if self.app.size.width >= 110 else (22, 16, 12)
        fill_table(
            table,
            [
                (
                    str(n),
                    [
                        Text(clip(line.title, title)),
                        Text(clip(line.client, client)),
                        Text(fmt.money(line.amount, line.currency), justify="right"),
                        Text(clip(line.manager, manager)),
                    ],
                )
                for n, line in enumerate(lines)
            ],
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if not 0 <= index < len(self.lines):
            return
        line = self.lines[index]
        if line.kind is DrillKind.CLIENTS:
            self.qapp.open_client(line.id)
        else:
            self.qapp.open_deal(line.id)

    def action_close(self) -> None:
        self.dismiss(None)
