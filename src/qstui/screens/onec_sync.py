"""The reference sync with 1C (E2) as a table: the comparison (every row not yet in
sync, with what will be done to it), the user's choice per row or for every row of a
kind, then the run — in workers, with a progress bar and a summary.

Opened from the command palette («1C: sync counterparties» / «… nomenclature»).
``space`` changes the action of the row under the cursor (among those that apply to
it), ``a`` gives that action to every row of the same kind, ``ctrl+s`` runs it, ``b``
goes to the next 1C base, ``ctrl+r`` compares again, Esc returns. While a run goes on,
``x`` (or Esc) cancels it: the run stops before its commit, qstui's database stays as it
was, and the journal has the run as failed, «cancelled».
"""

from __future__ import annotations

import threading
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, ProgressBar, Static

from qstui.config import config_file_path
from qstui.domain.onec import (
    SyncAction,
    SyncCategory,
    SyncComparison,
    SyncPolicy,
    SyncResult,
    SyncRow,
)
from qstui.i18n import N_, _
from qstui.onec.secrets import Secrets
from qstui.services.onec.bases import exchange_bases
from qstui.services.onec.sync_run import (
    ALLOWED,
    SyncCancelled,
    apply_references,
    compare_references,
    decide,
)
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.key_footer import KeyFooter

TITLES = {
    "counterparties": N_("1C: sync counterparties"),
    "nomenclature": N_("1C: sync nomenclature"),
}
CATEGORIES = {
    SyncCategory.PROPOSED: N_("Proposed"),
    SyncCategory.ONLY_HERE: N_("Only in qstui"),
    SyncCategory.ONLY_THERE: N_("Only in 1C"),
    SyncCategory.CHANGED: N_("Changed"),
    SyncCategory.CONFLICT: N_("Conflict"),
}
ACTIONS = {
    SyncAction.LINK: N_("link"),
    SyncAction.CREATE_HERE: N_("create in qstui"),
    SyncAction.CREATE_THERE: N_("create in 1C"),
    SyncAction.TAKE_THEIRS: N_("take theirs"),
    SyncAction.KEEP_OURS: N_("keep ours"),
    SyncAction.SKIP: N_("skip"),
}
ORDER = tuple(ACTIONS)
SHOWN = 1000  # rows of each kind in the table


def _secrets() -> Secrets:
    return Secrets.of(config_file_path())


def load(ctx: Any, kind: str, base: str | None) -> tuple[list[str], SyncResult | None]:
    """The bases one may sync with and the comparison with ``base`` (else the first)."""
    names = exchange_bases(ctx)
    if not names:
        return names, None
    chosen = base if base in names else names[0]
    return names, compare_references(ctx, chosen, kind, _secrets())


class OnecSyncScreen(Localized, ServiceCalls, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="onec_sync.close"),
        Binding("space", "cycle", N_("Action"), id="onec_sync.cycle"),
        Binding("a", "all_of_kind", N_("The same for the kind"), id="onec_sync.all"),
        Binding("ctrl+s", "run", N_("Run"), id="onec_sync.run"),
        Binding("b", "next_base", N_("Next base"), id="onec_sync.base"),
        Binding("ctrl+r", "refresh", N_("Compare again"), show=False, id="onec_sync.refresh"),
        Binding("x", "cancel_run", N_("Cancel the run"), id="onec_sync.cancel"),
    ]
    DEFAULT_CSS = """
    OnecSyncScreen #sync-title { height: auto; text-style: bold; padding: 0 1; }
    OnecSyncScreen #sync-status { height: auto; padding: 0 1; }
    OnecSyncScreen #sync-progress { height: 1; padding: 0 1; }
    OnecSyncScreen #sync-table { height: 1fr; }
    """

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.bases: list[str] = []
        self.base: str | None = None
        self.comparison: SyncComparison | None = None
        self.choices: dict[str, SyncAction] = {}
        self.running = False
        self.cancelling = threading.Event()  # set by the user, read by the run's worker
        self.summary = ""  # what the last run did
        self._shown: list[SyncRow] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sync"):
            yield Static("", id="sync-title")
            yield ProgressBar(id="sync-progress", show_eta=False)
            yield Static("", id="sync-status")
            yield DataTable(id="sync-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = _(TITLES[self.kind])
        self.action_refresh()

    # --- comparing ------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.running:
            return
        self._status(_("Comparing with 1C…"))
        self.query_one(ProgressBar).update(total=None)
        self.call_service(
            load, self.kind, self.base, then=self._loaded, on_error=self._failed, group="sync"
        )

    def _loaded(self, loaded: tuple[list[str], SyncResult | None]) -> None:
        self.bases, result = loaded
        self.query_one(ProgressBar).update(total=1, progress=1)
        if result is None:
            self._status(_("No 1C bases yet: the administrator adds them"))
            return
        self.base = result.comparison.base
        self.comparison = result.comparison
        self.choices = {}
        self._shown = None
        self._show()

    def _show(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        self.query_one("#sync-title", Static).update(
            _("{title} — base {base}: linked {linked}").format(
                title=_(TITLES[self.kind]), base=comparison.base, linked=comparison.linked
            )
        )
        table: DataTable[Any] = self.query_one("#sync-table", DataTable)
        table.clear(columns=True)
        for key, label in (
            ("category", _("Row")),
            ("ours", _("In qstui")),
            ("theirs", _("In 1C")),
            ("code", _("INN / article")),
            ("diff", _("Differences")),
            ("action", _("Action")),
        ):
            table.add_column(label, key=key)
        for row in self._rows():
            table.add_row(
                _(CATEGORIES[row.category]),
                row.name,
                row.their_name,
                row.code,
                "; ".join(f"{d.name}: {d.ours} → {d.theirs}" for d in row.differences),
                _(ACTIONS[self._action(row)]),
                key=row.key,
            )
        waiting = len(comparison.rows) - comparison.linked
        text = (
            _("{count} rows to settle: space changes the action, a — for the whole kind, "
              "ctrl+s runs").format(count=waiting)
            if waiting
            else _("Everything is in sync")
        )  # fmt: skip
        if waiting > len(self._rows()):
            text += " · " + _("the first {count} of each kind shown").format(count=SHOWN)
        self._status(f"{self.summary} · {text}" if self.summary else text)
        table.focus()

    def _rows(self) -> list[SyncRow]:
        """The rows in the table: those not in sync, at most ``SHOWN`` of each kind (a
        table holds its rows in memory; «a» still acts on every row of the kind)."""
        if self.comparison is None:
            return []
        if self._shown is None:
            seen: dict[SyncCategory, int] = {}
            self._shown = []
            for row in self.comparison.rows:
                if row.category == SyncCategory.LINKED:
                    continue
                seen[row.category] = seen.get(row.category, 0) + 1
                if seen[row.category] <= SHOWN:
                    self._shown.append(row)
        return self._shown

    def _action(self, row: SyncRow) -> SyncAction:
        return decide(row, SyncPolicy(), self.choices)

    def _current(self) -> SyncRow | None:
        table: DataTable[Any] = self.query_one("#sync-table", DataTable)
        rows = self._rows()
        if not rows or table.cursor_row < 0 or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    # --- choosing ---------------------------------------------------------------------

    def action_cycle(self) -> None:
        row = self._current()
        if row is None:
            return
        allowed = [a for a in ORDER if a in ALLOWED[row.category]]
        now = self._action(row)
        self.choices[row.key] = allowed[(allowed.index(now) + 1) % len(allowed)]
        self._update_action(row)

    def action_all_of_kind(self) -> None:
        row = self._current()
        if row is None:
            return
        action = self._action(row)
        assert self.comparison is not None
        for other in self.comparison.rows:
            if other.category == row.category:
                self.choices[other.key] = action
        for other in self._rows():
            if other.category == row.category:
                self._update_action(other)

    def _update_action(self, row: SyncRow) -> None:
        table: DataTable[Any] = self.query_one("#sync-table", DataTable)
        table.update_cell(row.key, "action", _(ACTIONS[self._action(row)]))

    def action_next_base(self) -> None:
        if len(self.bases) > 1 and self.base in self.bases:
            self.base = self.bases[(self.bases.index(self.base) + 1) % len(self.bases)]
            self.action_refresh()

    # --- running ----------------------------------------------------------------------

    def action_run(self) -> None:
        if self.running or self.comparison is None or self.base is None:
            return
        self.running = True
        self.cancelling.clear()
        self.refresh_bindings()
        self._status(_("Syncing with 1C…"))
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.call_service(
            apply_references,
            self.base,
            self.kind,
            _secrets(),
            choices=dict(self.choices),
            progress=self._progress_from_worker,
            cancelled=self.cancelling.is_set,
            then=self._done,
            on_error=self._failed,
            group="sync",
        )

    def _progress_from_worker(self, done: int, total: int, what: str) -> None:
        self.app.call_from_thread(self._progress, done, total, what)

    def _progress(self, done: int, total: int, what: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        self._status(what)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.running
        if action in ("cycle", "all_of_kind", "run", "next_base", "refresh"):
            return not self.running
        return True

    def action_cancel_run(self) -> None:
        if self.running and not self.cancelling.is_set():
            self.cancelling.set()
            self._status(_("Cancelling…"))

    def _ended(self) -> None:
        self.running = False
        self.refresh_bindings()

    def _done(self, result: SyncResult) -> None:
        self._ended()
        self.query_one(ProgressBar).update(total=1, progress=1)
        applied = result.applied
        assert applied is not None
        summary = _("Done: {summary}").format(summary=applied.summary())
        self.summary = summary
        self.notify(summary)
        self.action_refresh()

    def _failed(self, error: BaseException) -> None:
        self._ended()
        self.query_one(ProgressBar).update(total=1, progress=0)
        self._status(str(error))
        if isinstance(error, SyncCancelled):
            self.notify(str(error), severity="warning")
        else:
            self.qapp.show_error(error)

    def _status(self, text: str) -> None:
        self.query_one("#sync-status", Static).update(text)

    def action_close(self) -> None:
        if self.running:  # the run's worker would go on unseen
            self.action_cancel_run()
            return
        self.dismiss(None)
