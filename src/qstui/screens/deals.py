"""Работы — the deals list (D1, D2): every deal the user sees, newest first, a page at a
time; filters by manager, stage, status, start period and "overdue stage only"; a quick
filter by words of the title; Enter opens the deal card."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from qstui.domain import formatting as fmt
from qstui.domain.deals import STATUS_LABELS, DealFilter, DealRow, PipelineInfo
from qstui.domain.enums import DealStatus
from qstui.domain.paging import COUNT_CAP, Cursor, Page
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.services.deals.choices import manager_choices
from qstui.services.deals.listing import count_deals, list_deals
from qstui.services.refbooks.pipelines import list_pipelines
from qstui.widgets.cells import ALERT
from qstui.widgets.paged_table import Column, PagedTable
from qstui.widgets.text_field import TextField

STATUS_CYCLE: tuple[DealStatus | None, ...] = (None, *DealStatus)


def _cell(row: DealRow, text: str | None) -> Text:
    return Text(text or "", style=ALERT if row.is_overdue else "", overflow="ellipsis")


def _amount(row: DealRow) -> Text:
    return Text(
        fmt.money(row.amount, row.currency_code),
        style=ALERT if row.is_overdue else "",
        justify="right",
    )


def columns(room: int) -> tuple[Column, ...]:
    """The list's columns, the text ones as wide as ``room`` (the table's width) allows."""
    wide = room >= 150
    return (
        Column("started", N_("Started"), lambda r: _cell(r, fmt.day(r.started_on)), 10),
        Column("title", N_("Deal"), lambda r: _cell(r, r.title), 44 if wide else 28),
        Column("client", N_("Client"), lambda r: _cell(r, r.company_name), 32 if wide else 22),
        Column("stage", N_("Stage"), lambda r: _cell(r, r.stage_name), 24 if wide else 18),
        Column("status", N_("Status"), lambda r: _cell(r, _(STATUS_LABELS[r.status])), 9),
        Column("amount", N_("Amount"), _amount, 16),
        Column("manager", N_("Manager"), lambda r: _cell(r, r.manager_name), 24 if wide else 18),
    )


class DealsTable(PagedTable):
    """The deals' paged table; after a reload the cursor stays on the deal it was on."""

    keep_id: int | None = None

    def _rebuild(self, cursor_row: int) -> None:
        if self.keep_id is not None:
            ids = [row.id for row in self.loaded_rows]
            if self.keep_id in ids:
                cursor_row = ids.index(self.keep_id)
            self.keep_id = None
        super()._rebuild(cursor_row)


class DealsScreen(ModuleScreen):
    MODULE = "deals"
    AUTO_FOCUS = "#deals-table"
    BINDINGS = [
        Binding("enter", "open", N_("Open"), show=False, id="deals.open"),
        Binding("slash", "quick", N_("Find"), id="deals.find"),
        Binding("f", "filter", N_("Filter"), id="deals.filter"),
        Binding("s", "status", N_("Status"), id="deals.status"),
        Binding("o", "overdue", N_("Overdue"), id="deals.overdue"),
        Binding("m", "mine", N_("Mine"), show=False, id="deals.mine"),
        Binding("x", "reset", N_("Reset filter"), id="deals.reset"),
        Binding("i", "bank_import", N_("Bank statement"), show=False, id="deals.bank_import"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="deals.refresh"),
        Binding("escape", "to_table", N_("Back to the list"), show=False, id="deals.to_table"),
    ]
    DEFAULT_CSS = """
    DealsScreen #deals-bar { height: 1; }
    DealsScreen #deals-quick { width: 1fr; height: 1; border: none; padding: 0 1; }
    DealsScreen #deals-table { height: 1fr; }
    DealsScreen #deals-status { height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.flt = DealFilter()
        self.total: int | None = None
        self.managers: list[tuple[int, str]] = []
        self.pipelines: list[PipelineInfo] = []

    def compose_content(self) -> ComposeResult:
        with Horizontal(id="deals-bar"):
            yield TextField(placeholder=_("/ — words of the title"), id="deals-quick")
        yield DealsTable(columns(self.app.size.width - 25), id="deals-table")
        yield Static("", id="deals-status")

    @property
    def table(self) -> DealsTable:
        return self.query_one("#deals-table", DealsTable)

    def on_mount(self) -> None:
        self.call_service(self._choices, then=self._got_choices, on_error=lambda _e: None)

    def on_screen_resume(self) -> None:  # also when first shown (after on_mount)
        current = self.table.current
        self.reload(keep=current.id if current is not None else None)

    # --- loading --------------------------------------------------------------------------

    @staticmethod
    def _choices(ctx: Any) -> tuple[list[tuple[int, str]], list[PipelineInfo]]:
        managers = [(m.id, m.full_name) for m in manager_choices(ctx)]
        return managers, list_pipelines(ctx)

    def _got_choices(self, result: tuple[list[tuple[int, str]], list[PipelineInfo]]) -> None:
        self.managers, self.pipelines = result

    def reload(self, keep: int | None = None) -> None:
        flt = self.flt

        def fetch(ctx: Any, cursor: Cursor | None, backward: bool, limit: int) -> Page[DealRow]:
            return list_deals(ctx, flt, cursor, limit, backward)

        self.table.keep_id = keep
        self.table.load(
            fetch,
            then=lambda: self.call_service(
                count_deals, flt, COUNT_CAP, then=self._counted, group="count-deals"
            ),
        )
        self.total = None
        self._status()

    def _counted(self, total: int) -> None:
        self.total = total
        self._status()

    def _status(self) -> None:
        count = "…" if self.total is None else fmt.total(self.total, COUNT_CAP)
        parts = [_("Deals: {n}").format(n=count)]
        parts += self._filter_words()
        self.query_one("#deals-status", Static).update(" · ".join(parts))

    def _filter_words(self) -> list[str]:
        flt, words = self.flt, []
        if flt.manager_id is not None:
            name = dict(self.managers).get(flt.manager_id, str(flt.manager_id))
            words.append(_("manager: {name}").format(name=name))
        if flt.stage_id is not None:
            names = {st.id: st.name for p in self.pipelines for st in p.stages}
            words.append(_("stage: {name}").format(name=names.get(flt.stage_id, flt.stage_id)))
        if flt.status is not None:
            words.append(_("status: {name}").format(name=_(STATUS_LABELS[flt.status]).lower()))
        if flt.started_from or flt.started_to:
            words.append(
                _("started {start}–{end}").format(
                    start=fmt.day(flt.started_from), end=fmt.day(flt.started_to)
                )
            )
        if flt.overdue_only:
            words.append(_("overdue only"))
        if flt.text:
            words.append(_("words: «{text}»").format(text=flt.text))
        return words

    def _apply(self, flt: DealFilter) -> None:
        self.flt = flt
        self.reload()

    # --- keys -----------------------------------------------------------------------------

    def action_open(self) -> None:
        row = self.table.current
        if row is not None:
            self.qapp.open_deal(row.id)

    def on_paged_table_opened(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.qapp.open_deal(event.row.id)

    def action_quick(self) -> None:
        self.query_one("#deals-quick", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "deals-quick":
            return
        event.stop()
        text = event.value.strip() or None
        if text != self.flt.text:
            self._apply(_with(self.flt, text=text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "deals-quick":
            event.stop()
            self.table.focus()

    def action_to_table(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        from qstui.screens.dialogs.deal_forms import filter_dialog

        def done(flt: DealFilter | None) -> None:
            if flt is not None:
                self._apply(flt)

        self.app.push_screen(filter_dialog(self.flt, self.managers, self.pipelines), done)

    def action_status(self) -> None:
        index = STATUS_CYCLE.index(self.flt.status)
        self._apply(_with(self.flt, status=STATUS_CYCLE[(index + 1) % len(STATUS_CYCLE)]))

    def action_overdue(self) -> None:
        self._apply(_with(self.flt, overdue_only=not self.flt.overdue_only))

    def action_mine(self) -> None:
        ctx = self.qapp.ctx
        mine = ctx.user_id if ctx is not None else None
        self._apply(_with(self.flt, manager_id=None if self.flt.manager_id == mine else mine))

    def action_bank_import(self) -> None:
        self.qapp.open_bank_import()

    def action_reset(self) -> None:
        self.query_one("#deals-quick", Input).value = ""
        self._apply(DealFilter())

    def action_refresh(self) -> None:
        current = self.table.current
        self.reload(keep=current.id if current is not None else None)


def _with(flt: DealFilter, **changes: Any) -> DealFilter:
    from dataclasses import replace

    return replace(flt, **changes)
