"""«1С: загрузить выписку банка»: a bank statement (1CClientBankExchange) read, its
incoming payments matched to clients and deals, then imported.

Type the file's path (completion: → accepts the suggested name) and Enter: the dry run
(``services.onec.bank_import.preview_statement``, in a worker) fills the table — each
incoming payment with its match: matched, client only, ambiguous, unmatched. Enter on a
line picks its deal (among the candidates, or any client's open deal for a payment
none was found for); ctrl+s imports the matched and the chosen lines
(``import_statement``) and shows the table again, imported lines marked. Reading the file
happens in the worker too. Opened from the command palette and the deals list (``i``).
"""

from __future__ import annotations

import os
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import DataTable, Header, Input, ProgressBar, Static

from qstui.domain import formatting as fmt
from qstui.domain.bank import (
    MATCH_LABELS,
    BankLine,
    BankPreview,
    Candidate,
    preview_summary,
)
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import PickDialog
from qstui.screens.dialogs.pick_deal import PickDealDialog
from qstui.services.context import Context
from qstui.services.onec.bank_import import (
    import_statement,
    preview_statement,
    read_statement_file,
)
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.key_footer import KeyFooter
from qstui.widgets.text_field import TextField


class PathSuggester(Suggester):
    """Completes the last part of a typed path from the names in its folder."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        folder, prefix = os.path.split(os.path.expanduser(value))
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and name != prefix and not name.startswith("."):
                full = os.path.join(os.path.split(value)[0], name)
                return full + os.sep if os.path.isdir(os.path.join(folder or ".", name)) else full
        return None


def _preview(ctx: Context, path: str) -> tuple[bytes, BankPreview]:
    data = read_statement_file(path.strip())
    return data, preview_statement(ctx, data)


class BankImportScreen(Localized, ServiceCalls, Screen[None]):
    AUTO_FOCUS = "#bank-file"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="bank.back"),
        Binding("ctrl+s", "apply", N_("Import"), id="bank.apply"),
    ]
    DEFAULT_CSS = """
    BankImportScreen #bank-head { height: auto; padding: 0 1; background: $boost; }
    BankImportScreen #bank-file { margin: 0 1; }
    BankImportScreen #bank-summary { height: auto; padding: 0 1; }
    BankImportScreen #bank-lines { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.data: bytes | None = None
        self.source = ""
        self.preview: BankPreview | None = None
        self.choices: dict[int, Candidate] = {}  # line → the deal chosen for it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            _("1C: import a bank statement")
            + " · "
            + _("Enter — read the file · Enter on a line — choose its deal · ctrl+s — import"),
            id="bank-head",
        )
        yield TextField(
            placeholder=_("Path of the statement file (1CClientBankExchange)"),
            suggester=PathSuggester(),
            id="bank-file",
        )
        yield Static("", id="bank-summary")
        bar = ProgressBar(id="bank-progress", show_eta=False)
        bar.display = False  # while the payments are written
        yield bar
        table: DataTable[Any] = DataTable(id="bank-lines", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#bank-lines", DataTable)
        for title in (
            _("Line"),
            _("No."),
            _("Date"),
            _("Amount"),
            _("Payer"),
            _("Match"),
            _("Client / deal"),
        ):
            table.add_column(title)

    # --- reading ---------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        self.source = event.value.strip()
        self.choices.clear()
        self.call_service(
            _preview, self.source, then=self._read, loading=self.query_one("#bank-lines")
        )

    def _read(self, result: tuple[bytes, BankPreview]) -> None:
        self.data, self.preview = result
        self._show()
        if self.preview.readable:
            self.query_one("#bank-lines", DataTable).focus()

    def _show(self) -> None:
        preview = self.preview
        if preview is None:
            return
        table = self.query_one("#bank-lines", DataTable)
        row = table.cursor_row  # the user stays on the line they were at
        table.clear()
        for line in preview.incoming:
            table.add_row(
                str(line.line),
                line.number,
                fmt.day(line.doc_date),
                fmt.money(line.amount, line.currency_code or ""),
                f"{line.payer_name} ({line.payer_inn})" if line.payer_inn else line.payer_name,
                self._status(line),
                self._target(line),
                key=str(line.line),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#bank-summary", Static).update(self._summary(preview))
        self.qapp.shown("bank_import")

    def _status(self, line: BankLine) -> str:
        if line.payment_id is not None:
            return _("imported")
        if line.line in self.choices:
            return _("chosen")
        return _(MATCH_LABELS[line.match.status])

    def _target(self, line: BankLine) -> str:
        chosen = self.choices.get(line.line)
        if chosen is not None and line.payment_id is None:
            return f"{chosen.company_name}: {chosen.deal_title}"
        match = line.match
        if match.deal_id is not None:
            return f"{match.company_name}: {match.deal_title}"
        if match.company_name:
            return f"{match.company_name} ({match.reason})"
        return match.reason

    def _summary(self, preview: BankPreview) -> str:
        if not preview.readable:
            return "\n".join(
                _("Line {line}: {message}").format(line=i.line, message=i.message)
                for i in preview.errors
            )
        text = preview_summary(preview)
        notes = [
            _("Line {line}: {message}").format(line=i.line, message=i.message)
            for i in preview.errors[:5]
        ]
        if preview.run_id is not None:
            notes.insert(0, _("Payments created: {created}").format(created=preview.created))
        return "\n".join([text, *notes])

    # --- choosing a deal -----------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.preview is None or event.row_key.value is None:
            return
        line = next((x for x in self.preview.incoming if str(x.line) == event.row_key.value), None)
        if line is None or line.payment_id is not None:
            return
        candidates = [c for c in line.match.candidates if c.deal_id is not None]

        def chosen(candidate: Candidate | None) -> None:
            if candidate is not None:
                self.choices[line.line] = candidate
                self._show()

        title = _("The deal of the payment of line {line}").format(line=line.line)
        if not candidates:  # no client found, or none with an open deal: find one
            self.app.push_screen(PickDealDialog(title), chosen)
            return
        options = [
            (
                f"{c.company_name}: {c.deal_title}"
                + (f" · {_('debt')} {fmt.money(c.debt, '')}" if c.debt is not None else ""),
                c,
            )
            for c in candidates
        ]
        self.app.push_screen(PickDialog(title, options), chosen)

    # --- importing -------------------------------------------------------------------------

    def action_apply(self) -> None:
        if self.data is None or self.preview is None or not self.preview.readable:
            self.notify(_("Read a statement first"), severity="warning")
            return
        choices = {line: c.deal_id for line, c in self.choices.items() if c.deal_id is not None}
        bar = self.query_one("#bank-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.call_service(
            import_statement,
            self.data,
            (),
            choices,
            os.path.basename(self.source),
            then=self._imported,
            on_error=self._not_imported,
            loading=self.query_one("#bank-lines"),
            progress=self._progress,
        )

    def _progress(self, done: int, total: int) -> None:
        """In the worker's thread, after each batch of payments written."""
        self.app.call_from_thread(
            self.query_one("#bank-progress", ProgressBar).update, total=total, progress=done
        )

    def _not_imported(self, error: BaseException) -> None:
        self.query_one("#bank-progress", ProgressBar).display = False
        self.qapp.show_error(error)

    def _imported(self, preview: BankPreview) -> None:
        self.query_one("#bank-progress", ProgressBar).display = False
        self.preview = preview
        self.choices.clear()
        self._show()
        self.notify(_("Payments created: {created}").format(created=preview.created))

    def action_back(self) -> None:
        self.dismiss(None)
