"""The start page, "today": my plans for today, overdue plans and deal stages, idle
clients (C8) and the money of my open deals. Enter opens the client or the deal."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.calendar import MoneyTotal, TodayPage
from qstui.i18n import N_, _, ngettext
from qstui.screens.base import ModuleScreen
from qstui.services.today import START_CAP, open_deal_totals, today_page
from qstui.widgets.cells import ALERT, styled
from qstui.widgets.tables import card_table, fill_table, fitted_caps

# Long texts are cut on a narrow terminal so that the client column stays in view.
TYPE = (N_("Type"), 14)
SUBJECT = (N_("Subject"), 30)
SUBJECT_DEAL = (N_("Deal"), 30)
CLIENT = (N_("Client"), 26)
# On a short terminal (80×24) the summary and three rows of every table fit on the screen
# (issue 14): the sections lose their blank line (app.tcss), each table shows ``SHORT_ROWS`` rows
# (scrolling for more) instead of ``ROWS``.
SHORT_HEIGHT = 40
SHORT_ROWS = 3
ROWS = 8


class TodayScroll(VerticalScroll):
    """The page: when its width or height changes (the terminal resized, the module
    panel collapsed or expanded) its tables are fitted to it again."""

    def on_resize(self) -> None:
        screen = self.screen
        if isinstance(screen, TodayScreen):
            screen.fit_tables()


class TodayScreen(ModuleScreen):
    MODULE = "today"
    DEFAULT_CSS = """
    TodayScreen #today DataTable { overflow-x: hidden; }
    """
    BINDINGS = [
        Binding("ctrl+r", "refresh", N_("Refresh"), id="today.refresh"),
        Binding("i", "idle", N_("Forgotten clients"), id="today.idle"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # row key → ("client" | "deal", id), per table
        self._targets: dict[str, dict[str, tuple[str, int]]] = {}
        self._focused_once = False
        self._page: TodayPage | None = None

    def compose_content(self) -> ComposeResult:
        with TodayScroll(id="today"):
            yield Static("", id="today-title", classes="section-title")
            yield Static("", id="today-money")
            yield Static(_("My plans for today"), classes="section-title")
            yield card_table("today-plans", (N_("Time"), TYPE, SUBJECT, CLIENT))
            yield Static("", id="overdue-title", classes="section-title")
            yield card_table("today-overdue", (N_("When"), TYPE, SUBJECT, CLIENT))
            yield Static(_("Overdue deal stages"), classes="section-title")
            yield card_table("today-stages", (N_("Due"), (N_("Stage"), 20), SUBJECT_DEAL, CLIENT))
            yield Static("", id="idle-title", classes="section-title")
            yield card_table("today-idle", (N_("Last contact"), N_("Client")))

    def on_screen_resume(self) -> None:  # also when first shown (after on_mount)
        self.action_refresh()

    def fit_tables(self) -> None:
        """The tables' columns and heights for the page's size."""
        self.set_class(self.app.size.height < SHORT_HEIGHT, "-short")
        if self._page is not None:
            self._fill_tables(self._page)

    def action_refresh(self) -> None:
        self.call_service(today_page, then=self._show, loading=self.query_one("#today"))

    def _show_money(self, totals: tuple[MoneyTotal, ...]) -> None:
        count = sum(t.count for t in totals)
        money = ", ".join(fmt.money(t.amount, t.currency_code) for t in totals) or "—"
        self.query_one("#today-money", Static).update(
            ngettext("{n} open deal: {money}", "{n} open deals: {money}", count).format(
                n=count, money=money
            )
        )

    def action_idle(self) -> None:
        self.query_one("#today-idle", DataTable).focus()

    def _show(self, page: TodayPage) -> None:
        self.query_one("#today-title", Static).update(
            _("Today, {day}").format(day=fmt.day(page.day))
        )
        self.query_one("#overdue-title", Static).update(
            _("Overdue plans: {n}").format(n=fmt.total(page.overdue_count, START_CAP))
        )
        self.query_one("#idle-title", Static).update(
            _("Forgotten clients (no contact for {days} days): {n}").format(
                days=page.idle_days, n=fmt.total(page.idle_count, START_CAP)
            )
        )
        self._page = page
        self.fit_tables()
        if not self._focused_once:  # after login: Enter opens the first row, Tab moves on
            self._focused_once = True
            tables = list(self.query("#today DataTable").results(DataTable))
            filled = [table for table in tables if table.row_count]
            (filled or tables)[0].focus()
        self.qapp.shown("today")
        # the money adds up every open deal: asked once the page is painted
        self.call_after_refresh(
            self.call_service, open_deal_totals, then=self._show_money, group="today-money"
        )

    def _fill_tables(self, page: TodayPage) -> None:
        self._fill(
            "plans",
            [
                (f"e{e.id}", ("client", e.company_id),
                 (fmt.hhmm(e.local_at), e.type_name, e.subject, e.company_name or ""), e.overdue)
                for e in page.plans
            ],
        )  # fmt: skip
        self._fill(
            "overdue",
            [
                (f"e{e.id}", ("client", e.company_id),
                 (fmt.moment(e.event_at), e.type_name, e.subject, e.company_name or ""), True)
                for e in page.overdue
            ],
        )  # fmt: skip
        self._fill(
            "stages",
            [
                (f"s{s.deal_id}-{s.stage_id}", ("deal", s.deal_id),
                 (fmt.day(s.due_on), s.stage_name, s.deal_title, s.company_name), True)
                for s in page.overdue_stages
            ],
        )  # fmt: skip
        self._fill(
            "idle",
            [
                (f"c{c.company_id}", ("client", c.company_id),
                 (fmt.day(c.last_contact_at) or _("never"), c.name), False)
                for c in page.idle_clients
            ],
        )  # fmt: skip

    def _fill(self, name: str, rows: list[tuple[str, Any, tuple[str, ...], bool]]) -> None:
        table = self.query_one(f"#today-{name}", DataTable)
        if not hasattr(table, "full_caps"):
            table.full_caps = table.caps  # type: ignore[attr-defined]
        room = self.query_one("#today").content_region.width - 2  # its scrollbar
        titles = [str(column.label) for column in table.columns.values()]
        cells = [r[2] for r in rows]
        table.caps = fitted_caps(table.full_caps, titles, cells, room)  # type: ignore[attr-defined]
        fill_table(table, [(r[0], [styled(c, ALERT if r[3] else "") for c in r[2]]) for r in rows])
        self._targets[name] = {r[0]: r[1] for r in rows if r[1][1] is not None}
        shown = SHORT_ROWS if self.app.size.height < SHORT_HEIGHT else ROWS
        table.styles.height = min(len(rows), shown) + 1 if rows else 2

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = (event.data_table.id or "").removeprefix("today-")
        target = self._targets.get(name, {}).get(str(event.row_key.value))
        if target is None:
            return
        kind, ident = target
        if kind == "client":
            self.qapp.open_client(ident)
        else:
            self.qapp.open_deal(ident)
