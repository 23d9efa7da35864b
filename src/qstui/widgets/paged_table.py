"""A table over a list too big to load (ARCHITECTURE rule 5).

It holds a window of at most ``MAX_ROWS`` rows of a keyset-paged list: rows are
fetched a page at a time in a worker as the cursor nears either edge of the window;
End/Home (or ``ctrl+end``/``ctrl+home``) jump to the last/first rows without loading what lies
between. ``rows_fetched`` counts every row the service returned (for tests and the
status line). The total comes from its own count query, fetched by the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from qstui.domain.paging import Cursor, Page
from qstui.i18n import N_, _
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls

PAGE_SIZE = 100
MAX_ROWS = 600
PREFETCH = 15

# fetch(ctx, cursor, backward, limit) -> Page; runs in a worker thread.
Fetch = Callable[[Any, Cursor | None, bool, int], Page[Any]]


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # message id
    render: Callable[[Any], str | Text]
    width: int | None = None


class PagedTable(Localized, ServiceCalls, DataTable[str | Text]):
    BINDINGS = [
        # End/Home too: a list is read up and down (DataTable's own End scrolls sideways)
        Binding("end,ctrl+end", "last", N_("Last row"), show=False, id="table.last"),
        Binding("home,ctrl+home", "first", N_("First row"), show=False, id="table.first"),
    ]

    class Opened(Message):
        """Enter on a row: the row object."""

        def __init__(self, table: PagedTable, row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.spec = list(columns)
        self.shown = list(columns)  # the columns on screen (``show_columns``)
        self.fetch: Fetch | None = None
        self.rows_fetched = 0
        self._rows: list[Any] = []
        self._cursors: list[Cursor] = []
        self._more_before = False
        self._more_after = False
        self._busy = False
        self._rebuilding = False
        self._generation = 0
        self._after_first: Callable[[], None] | None = None

    def on_mount(self) -> None:
        for col in self.shown:
            self.add_column(self.title_of(col), key=col.key, width=col.width)

    def title_of(self, col: Column) -> str | Text:
        """The header of the column ``col`` (its translated title)."""
        return _(col.title)

    def cell_of(self, col: Column, row: Any) -> str | Text:
        """What the column ``col`` shows of ``row``."""
        return col.render(row)

    def show_columns(self, keys: Sequence[str], widths: dict[str, int]) -> None:
        """Show only the columns ``keys`` (in the spec's order), ``widths`` by key; the
        rows already there are laid out again."""
        self.shown = [col for col in self.spec if col.key in keys]
        cursor_row = self.cursor_row
        self.clear(columns=True)
        for col in self.shown:
            self.add_column(self.title_of(col), key=col.key, width=widths.get(col.key, col.width))
        self._rebuild(cursor_row)

    # --- loading ------------------------------------------------------------------

    def load(self, fetch: Fetch, then: Callable[[], None] | None = None) -> None:
        """Show the list ``fetch`` pages through, from its first row; ``then`` runs once
        its first page is painted (the screen's count: it would compete with the page
        for the database server and the CPU)."""
        self.fetch = fetch
        self._generation += 1
        self._after_first = then
        self._request(None, backward=False, replace=True)

    def action_first(self) -> None:
        if self.fetch is not None:
            if self._more_before:
                self._request(None, backward=False, replace=True)
            else:
                self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.fetch is not None:
            if self._more_after:
                self._request(None, backward=True, replace=True)
            elif self._rows:
                self.move_cursor(row=len(self._rows) - 1)

    def _request(self, cursor: Cursor | None, backward: bool, replace: bool) -> None:
        assert self.fetch is not None
        self._busy = True
        generation = self._generation
        self.call_service(
            self.fetch,
            cursor,
            backward,
            PAGE_SIZE,
            then=lambda page: self._loaded(page, backward, replace, generation),
            on_error=self._failed,
            loading=self if replace else None,
            group="paged-table",
        )

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.qapp.show_error(error)

    def _loaded(self, page: Page[Any], backward: bool, replace: bool, generation: int) -> None:
        self._busy = False
        if generation != self._generation:
            return  # a newer load replaced this list meanwhile
        self.rows_fetched += len(page.rows)
        if replace:
            self._rows, self._cursors = list(page.rows), list(page.cursors)
            self._more_before = backward and page.has_more
            self._more_after = (not backward) and page.has_more
            self._rebuild(len(self._rows) - 1 if backward else 0)
            self.qapp.shown(self.id or "table")
            after, self._after_first = self._after_first, None
            if after is not None:
                self.call_after_refresh(after)
            return
        anchor = self.cursor_row
        if backward:
            self._rows[:0], self._cursors[:0] = page.rows, page.cursors
            self._more_before = page.has_more
            anchor += len(page.rows)
            if len(self._rows) > MAX_ROWS:
                drop = len(self._rows) - MAX_ROWS
                del self._rows[-drop:], self._cursors[-drop:]
                self._more_after = True
            self._rebuild(anchor)
        else:
            self._rows.extend(page.rows)
            self._cursors.extend(page.cursors)
            self._more_after = page.has_more
            if len(self._rows) > MAX_ROWS:
                drop = len(self._rows) - MAX_ROWS
                del self._rows[:drop], self._cursors[:drop]
                self._more_before = True
                self._rebuild(max(0, anchor - drop))
            else:
                for row in page.rows:
                    self._add(row)

    def _rebuild(self, cursor_row: int) -> None:
        # clear() puts the cursor on row 0: while the window is rebuilt the cursor only
        # moves, or the watcher would fetch the page before it, again and again.
        self._rebuilding = True
        try:
            self.clear(columns=False)
            for row in self._rows:
                self._add(row)
            if self._rows:
                row = max(0, min(cursor_row, len(self._rows) - 1))
                self.move_cursor(row=row, animate=False)
        finally:
            self._rebuilding = False

    def _add(self, row: Any) -> None:
        self.add_row(*(self.cell_of(col, row) for col in self.shown), key=str(row.id))

    # --- following the cursor -----------------------------------------------------

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        if self._busy or self._rebuilding or self.fetch is None or not self._rows:
            return
        if new.row >= len(self._rows) - PREFETCH and self._more_after:
            self._request(self._cursors[-1], backward=False, replace=False)
        elif new.row <= PREFETCH and self._more_before:
            self._request(self._cursors[0], backward=True, replace=False)

    @property
    def current(self) -> Any | None:
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row]

    @property
    def loaded_rows(self) -> list[Any]:
        return list(self._rows)

    def action_select_cursor(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(self, row))
