"""The client list, «Клиенты» (C1, C3, C8): a paged table over every visible company,
the quick filter, the extended filter with saved filters, sorting, quick registration
with the duplicate check, deletion, and "who have I forgotten".

Keys (F1 lists them): ``/`` quick filter (results while typing; Esc clears it and
returns to the list), ``f`` extended filter, ``x`` clears every filter, ``i`` forgotten
clients (no contact for the user's idle days), ``s`` next sort column, ``S`` sort
direction (or click a header), Enter opens the card, ``ctrl+n`` new client, Delete
deletes the client, ``ctrl+r`` reloads. ``ctrl+home``/``ctrl+end`` jump to the first/last
client without loading what lies between.

The list never holds more than a window of rows (``PagedTable``); its total is counted
by its own query in its own worker. After a new client is saved the list reloads and
the new client's card opens.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientFilter, ClientRow, ClientSort, SortKey
from qstui.domain.names import short_name
from qstui.domain.paging import COUNT_CAP, Cursor, Page
from qstui.i18n import N_, _, ngettext
from qstui.screens.base import ModuleScreen
from qstui.screens.dialogs.client_filter import (
    ClientFilterDialog,
    FilterChoices,
    load_choices,
    summarize,
)
from qstui.services import rights as R
from qstui.services.clients.companies import (
    count_clients,
    delete_company,
    idle_filter,
    list_clients,
    reference_lists,
)
from qstui.services.refbooks.currency import list_currencies
from qstui.ui.localized import Localized
from qstui.ui.textual_private import set_column_width
from qstui.widgets import cells
from qstui.widgets.paged_table import Column, PagedTable
from qstui.widgets.tables import clip
from qstui.widgets.text_field import TextField

DEBOUNCE = 0.25  # seconds of quiet typing before the quick filter runs

SORT_ORDER = (SortKey.NAME, SortKey.INN, SortKey.CITY, SortKey.LAST_CONTACT, SortKey.CREATED)
SORT_TITLES = {
    SortKey.NAME: N_("by name"),
    SortKey.INN: N_("by INN"),
    SortKey.CITY: N_("by city"),
    SortKey.LAST_CONTACT: N_("by last contact"),
    SortKey.CREATED: N_("by creation date"),
}
# a click on these headers sorts by them
HEADER_SORT = {
    "name": SortKey.NAME,
    "inn": SortKey.INN,
    "city": SortKey.CITY,
    "last_contact": SortKey.LAST_CONTACT,
}


class ClientTable(PagedTable):
    """The list of companies; Enter opens the highlighted one. The name column takes
    the width the other columns leave (between ``NAME_MIN`` and ``NAME_MAX``).

    Where every column does not fit (80 columns, issue 14) the list shows the name, INN,
    city, phone and manager: the last contact and the debt go, the others are cut to
    ``NARROW`` widths, and one space parts the columns instead of Textual's two."""

    BINDINGS = [
        Binding("enter", "select_cursor", N_("Open the client card"), show=False, id="clients.open")
    ]
    DEFAULT_CSS = """
    ClientTable { scrollbar-size-vertical: 1; }
    """
    NAME_MIN = 30
    NAME_MAX = 60
    NARROW = {"inn": 12, "city": 11, "phone": 18, "manager": 12}  # widths without the space
    NARROW_NAME_MIN = 14

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.focus_when_loaded = False
        self.narrow = False

    def take_focus(self) -> None:
        """Focus the list, also when it is loading (a loading widget refuses focus):
        then it takes the focus as soon as the rows are there."""
        self.focus_when_loaded = True
        self.focus()

    def on_focus(self) -> None:
        self.focus_when_loaded = False

    def watch_loading(self, loading: bool) -> None:
        if not loading and self.focus_when_loaded:
            self.call_after_refresh(self.focus)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_columns)

    def fit_columns(self) -> None:
        """Every column where they fit, the five that matter where they do not; the name
        takes the width left."""
        # the room left of the scrollbar, there or not yet (the rows come later)
        room = self.content_region.width - self.styles.scrollbar_size_vertical
        others = sum(c.width or 0 for c in self.spec if c.key != "name")
        narrow = room < others + self.NAME_MIN + 2 * len(self.spec)
        if narrow != self.narrow:
            self.narrow = narrow
            self.cell_padding = 0 if narrow else 1
            if narrow:
                widths = {key: width + 1 for key, width in self.NARROW.items()}
                self.show_columns(["name", *self.NARROW], widths)
            else:
                self.show_columns([c.key for c in self.spec], {})
        name = next((c for c in self.columns.values() if c.key.value == "name"), None)
        if name is None:
            return
        others = sum(c.get_render_width(self) for c in self.columns.values() if c is not name)
        free = room - others - 2 * self.cell_padding
        if self.narrow:
            width = max(self.NARROW_NAME_MIN, free)
        else:
            width = max(self.NAME_MIN, min(self.NAME_MAX, free))
        if width != name.width:
            set_column_width(self, name, width)
            if self.narrow:  # the names are cut to the new width
                self._rebuild(self.cursor_row)

    def _narrow_width(self, key: str) -> int:
        column = next((c for c in self.columns.values() if c.key.value == key), None)
        return (column.width if column is not None else self.NARROW.get(key, 10)) - 1

    def title_of(self, col: Column) -> str | Text:
        title = super().title_of(col)
        return clip(title, self._narrow_width(col.key)) if self.narrow else title

    def cell_of(self, col: Column, row: Any) -> str | Text:
        cell = super().cell_of(col, row)
        return clip(cell, self._narrow_width(col.key)) if self.narrow else cell


class QuickFilter(Localized, TextField):
    """The quick filter above the list: Esc clears it, Down/Enter go to the list."""

    BINDINGS = [
        Binding(
            "escape",
            "leave(True)",
            N_("Clear the quick filter"),
            show=False,
            id="clients.quick.clear",
        ),
        Binding("down", "leave(False)", N_("To the list"), show=False, id="clients.quick.to_list"),
    ]

    class Left(Message):
        """Esc (``clear``) or Down: the user leaves the quick filter for the list."""

        def __init__(self, clear: bool) -> None:
            super().__init__()
            self.clear = clear

    def action_leave(self, clear: bool) -> None:
        self.post_message(self.Left(clear))


class ClientsScreen(ModuleScreen):
    MODULE = "clients"
    BINDINGS = [
        # «/» is shown above the list, the sort in the status line: the footer keeps
        # room for the rest at 80 columns
        Binding("slash", "find", N_("Find"), show=False, id="clients.find"),
        Binding("f", "filter", N_("Filter"), id="clients.filter"),
        Binding("i", "forgotten", N_("Forgotten"), id="clients.forgotten"),
        Binding("ctrl+n", "new_client", N_("New"), id="clients.new"),
        Binding("delete", "delete_client", N_("Delete…"), id="clients.delete"),
        Binding("s", "sort", N_("Sort"), show=False, id="clients.sort"),
        Binding(
            "S", "sort_direction", N_("Reverse the sort"), show=False, id="clients.sort_direction"
        ),
        Binding(
            "x", "clear_filters", N_("Clear all filters"), show=False, id="clients.clear_filters"
        ),
        Binding("ctrl+r", "refresh", N_("Reload the list"), show=False, id="clients.refresh"),
        Binding("m", "mass_activity", N_("Mass activity…"), show=False, id="clients.mass"),
        Binding(
            "e",
            "activity_effects",
            N_("Effect of mass activities"),
            show=False,
            id="clients.effects",
        ),
    ]
    DEFAULT_CSS = """
    ClientsScreen #quick-row { height: 1; }
    ClientsScreen #quick-row Label { width: auto; padding: 0 1; color: $text-muted; }
    ClientsScreen #quick { width: 1fr; }
    ClientsScreen #clients-table { height: 1fr; }
    ClientsScreen #clients-status { height: auto; max-height: 2; padding: 0 1;
        background: $panel; }
    ClientsScreen #clients-filter { height: auto; max-height: 3; padding: 0 1;
        color: $warning; }
    ClientsScreen #clients-filter.-empty { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.extended = ClientFilter()  # from the filter dialog (no text)
        self.quick = ""
        self._typed_at = 0.0  # when the quick filter last changed (time.monotonic)
        self.idle: ClientFilter | None = None  # "who have I forgotten", when on
        self.sort = ClientSort()
        self.count: int | None = None
        self.choices: FilterChoices | None = None
        self.base_currency = "RUB"
        self._sort_before_idle: ClientSort | None = None
        self._generation = 0

    # --- layout ------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        with Horizontal(id="quick-row"):
            yield Label(_("/ Find:"))
            yield QuickFilter(
                placeholder=_("name, INN, phone, e-mail, city, person"),
                id="quick",
                max_length=200,
                compact=True,
            )
        yield ClientTable(self._columns(), id="clients-table")
        yield Static("", id="clients-filter", classes="-empty")
        yield Static("", id="clients-status")

    def _columns(self) -> list[Column]:
        return [
            Column("name", N_("Company"), lambda r: r.name, width=32),
            Column("inn", N_("INN"), lambda r: r.inn or "", width=12),
            Column("city", N_("City"), lambda r: r.city or "", width=16),
            Column("phone", N_("Phone"), lambda r: r.phone or "", width=18),
            Column("manager", N_("Manager"), lambda r: short_name(r.manager), width=16),
            Column("last_contact", N_("Last contact"), self._last_contact, width=13),
            Column("debt", N_("Debt"), self._debt, width=15),
        ]

    @staticmethod
    def _last_contact(row: ClientRow) -> str:
        return fmt.day(row.last_contact_at)

    def _debt(self, row: ClientRow) -> Text:
        return cells.debt(row.debt, self.base_currency)

    @property
    def table(self) -> ClientTable:
        return self.query_one("#clients-table", ClientTable)

    def on_mount(self) -> None:
        self.table.take_focus()
        self.call_service(list_currencies, then=self._currencies, on_error=lambda _e: self.reload())

    def _currencies(self, currencies: list[Any]) -> None:
        base = next((c.code for c in currencies if c.is_base), None)
        self.base_currency = base or self.base_currency
        self.reload()

    # --- what the list shows ------------------------------------------------------------

    def effective_filter(self) -> ClientFilter:
        flt = replace(self.extended, text=self.quick or None)
        if self.idle is not None:
            flt = replace(flt, manager_id=self.idle.manager_id, idle_days=self.idle.idle_days)
        return flt

    def reload(self) -> None:
        """Show the list for the current filter and sort from its first row."""
        flt, sort = self.effective_filter(), self.sort

        def fetch(ctx: Any, cursor: Cursor | None, backward: bool, limit: int) -> Page[Any]:
            return list_clients(ctx, flt, sort, cursor=cursor, limit=limit, backward=backward)

        self._generation += 1
        generation = self._generation
        self.count = None
        self.table.load(
            fetch,
            then=lambda: self.call_service(
                count_clients,
                flt,
                COUNT_CAP,
                then=lambda n: self._counted(n, generation),
                group="count",
            ),
        )
        self._show_status()

    def _counted(self, count: int, generation: int) -> None:
        if generation == self._generation:
            self.count = count
            self._show_status()

    def _show_status(self) -> None:
        if self.count is None:
            count = _("counting…")
        else:
            count = ngettext("{n} client", "{n} clients", min(self.count, COUNT_CAP)).format(
                n=fmt.total(self.count, COUNT_CAP)
            )
        arrow = "↓" if self.sort.descending else "↑"
        order = _("sorted {by} {arrow}").format(by=_(SORT_TITLES[self.sort.key]), arrow=arrow)
        self.query_one("#clients-status", Static).update(f"{count} · {order} (s, S)")
        parts = []
        if self.quick:
            parts.append(_("find «{text}»").format(text=self.quick))
        summary = summarize(self.extended, self.choices)
        if summary:
            parts.append(summary)
        if self.idle is not None:
            parts.append(_("forgotten (no contact for {n}+ days)").format(n=self.idle.idle_days))
        line = self.query_one("#clients-filter", Static)
        line.update(_("Filter: {what} (x — clear)").format(what="; ".join(parts)) if parts else "")
        line.set_class(not parts, "-empty")

    # --- rights ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ctx = self.qapp.ctx
        if action == "delete_client":
            return bool(ctx and ctx.has(R.DELETE))
        if action in ("new_client", "mass_activity"):
            return bool(ctx and ctx.has(R.EDIT))
        return True

    # --- the quick filter ----------------------------------------------------------------

    def action_find(self) -> None:
        self.table.focus_when_loaded = False
        self.query_one("#quick", QuickFilter).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "quick":
            return
        event.stop()
        text = event.value
        # The first keystroke after a pause is looked up at once (a letter typed shows its
        # rows without waiting); the keystrokes of a burst replace the pending lookup (an
        # exclusive group), and only the text typed last, after a short pause, is read.
        now = time.monotonic()
        burst = now - self._typed_at < DEBOUNCE
        self._typed_at = now if text.strip() else 0.0  # clearing is not typing
        self.run_worker(
            self._debounced(text, burst),
            group="quick-filter",
            exclusive=True,
            exit_on_error=False,
        )

    async def _debounced(self, text: str, burst: bool) -> None:
        if burst and text.strip():
            await asyncio.sleep(DEBOUNCE)
        self._apply_quick(text)

    def _apply_quick(self, text: str) -> None:
        text = " ".join(text.split())
        if text != self.quick:
            self.quick = text
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "quick":
            return
        event.stop()
        self.leave_quick(False)

    def on_quick_filter_left(self, event: QuickFilter.Left) -> None:
        event.stop()
        self.leave_quick(event.clear)

    def leave_quick(self, clear: bool) -> None:
        """Esc (clear) / Enter / Down in the quick filter: apply it now, go to the list."""
        self.workers.cancel_group(self, "quick-filter")
        quick = self.query_one("#quick", QuickFilter)
        if clear:
            with quick.prevent(Input.Changed):
                quick.value = ""
        self._apply_quick(quick.value)
        self.table.take_focus()

    # --- the extended filter -------------------------------------------------------------

    def action_filter(self) -> None:
        self.call_service(load_choices, then=self._open_filter, group="choices")

    def _open_filter(self, choices: FilterChoices) -> None:
        self.choices = choices

        def chosen(flt: ClientFilter | None) -> None:
            if flt is not None:
                self.extended = replace(flt, text=None)
                self.reload()

        self.app.push_screen(ClientFilterDialog(choices, self.extended), chosen)

    def action_clear_filters(self) -> None:
        quick = self.query_one("#quick", QuickFilter)
        self.workers.cancel_group(self, "quick-filter")
        with quick.prevent(Input.Changed):
            quick.value = ""
        self.quick = ""
        self.extended = ClientFilter()
        if self.idle is not None:
            self.idle = None
            self.sort = self._sort_before_idle or self.sort
        self.reload()
        self.table.take_focus()

    def action_forgotten(self) -> None:
        """C8: my clients with no contact for my idle days; again: back to all."""
        if self.idle is not None:
            self.idle = None
            self.sort = self._sort_before_idle or ClientSort()
            self.reload()
            return
        self.call_service(idle_filter, then=self._idle_on)

    def _idle_on(self, flt: ClientFilter) -> None:
        self.idle = flt
        self._sort_before_idle = self.sort
        self.sort = ClientSort(SortKey.LAST_CONTACT)  # never contacted first, then oldest
        self.reload()
        self.table.take_focus()

    # --- sorting --------------------------------------------------------------------------

    def action_sort(self) -> None:
        index = SORT_ORDER.index(self.sort.key)
        self.sort = ClientSort(SORT_ORDER[(index + 1) % len(SORT_ORDER)], self.sort.descending)
        self.reload()

    def action_sort_direction(self) -> None:
        self.sort = ClientSort(self.sort.key, not self.sort.descending)
        self.reload()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = HEADER_SORT.get(str(event.column_key.value))
        if key is None:
            return
        if key == self.sort.key:
            self.sort = ClientSort(key, not self.sort.descending)
        else:
            self.sort = ClientSort(key)
        self.reload()

    # --- open, create, delete ------------------------------------------------------------

    def on_paged_table_opened(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.qapp.open_client(event.row.id)

    def action_refresh(self) -> None:
        self.reload()

    def action_new_client(self) -> None:
        ctx = self.qapp.ctx
        if ctx is not None and ctx.has(R.REASSIGN):
            self.call_service(
                reference_lists,
                then=lambda refs: self._new_client(refs["managers"]),
                group="choices",
            )
        else:
            self._new_client(None)

    def _new_client(self, managers: list[tuple[int, str]] | None) -> None:
        from qstui.screens.dialogs.new_client import NewClientDialog

        me = self.qapp.ctx.user_id if self.qapp.ctx else None
        self.app.push_screen(NewClientDialog(managers, me), self._created)

    def _created(self, company_id: int | None) -> None:
        if company_id is None:
            return
        self.notify(_("Client saved"))
        self.reload()
        self.qapp.open_client(company_id)

    def action_delete_client(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        row = self.table.current
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(
                    delete_company,
                    row.id,
                    row.version,
                    then=lambda _none: self._deleted(row),
                    group="delete",
                )

        question = _(
            "Delete the client «{name}» with its contacts, deals and history? "
            "This cannot be undone."
        ).format(name=row.name)
        self.app.push_screen(ConfirmDialog(question, yes=_("Yes, delete"), no=_("Keep")), answered)

    def _deleted(self, row: ClientRow) -> None:
        self.notify(_("Client «{name}» deleted").format(name=row.name))
        self.reload()

    # --- mass activities (C5) --------------------------------------------------------------

    def action_mass_activity(self) -> None:
        """Plan one interaction per client of the current filter or of a group."""
        from qstui.screens.dialogs.client_filter import summarize
        from qstui.screens.dialogs.mass_activity import MassActivityDialog, load_mass_choices

        flt = self.effective_filter()

        def offer(choices: Any) -> None:
            summary = summarize(flt, self.choices)
            dialog = MassActivityDialog(choices, flt, self.count, summary)
            self.app.push_screen(dialog, self._mass_planned)

        self.call_service(load_mass_choices, then=offer, group="mass-choices")

    def _mass_planned(self, effect: Any) -> None:
        if effect is None:
            return
        self.notify(
            _("Planned for {n} clients: «{title}»").format(
                n=effect.events_planned, title=effect.title
            )
        )
        self._effects(effect.group_id)

    def action_activity_effects(self) -> None:
        self._effects(None)

    def _effects(self, group_id: int | None) -> None:
        from qstui.screens.dialogs.mass_activity import ActivityEffectsDialog
        from qstui.services.clients.groups import list_groups

        self.call_service(
            list_groups,
            then=lambda groups: self.app.push_screen(ActivityEffectsDialog(groups, group_id)),
            group="mass-groups",
        )
