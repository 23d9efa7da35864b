"""What the tabs of the deal card share: the tab base class with the messages a tab sends
to the card, and the tables whose columns are sized to the screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from qstui.domain.deals import DealCard, DealView
from qstui.i18n import _
from qstui.services import rights as R
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls

WIDE = 110  # columns marked ``wide`` are shown from this screen width on


@dataclass(frozen=True)
class Col:
    """A column of the card's tables. A weighted column takes at least ``width`` and a
    share of the room the others leave (up to ``cap``), so nothing overflows at 80
    columns; a ``wide`` one is shown on wide screens only."""

    key: str
    title: str  # message id
    width: int
    weight: int = 0
    cap: int = 0
    wide: bool = False
    right: bool = False


def column_widths(cols: tuple[Col, ...] | list[Col], room: int) -> list[int]:
    """Widths of ``cols`` in ``room`` cells (each column also takes 2 of padding)."""
    spare = room - sum(col.width + 2 for col in cols)
    weights = sum(col.weight for col in cols)
    widths = []
    for col in cols:
        extra = spare * col.weight // weights if spare > 0 and weights else 0
        width = col.width + extra
        widths.append(min(width, col.cap) if col.cap else width)
    return widths


def none_row(text: str) -> Text:
    """The one row of an empty table, saying so."""
    return Text(text, style="italic dim", no_wrap=True, overflow="fold")


class DealTab(Localized, ServiceCalls, Vertical):
    """One tab of the deal card, filled by ``show(view)`` from the card's one
    ``deal_view`` result.

    ``KEYS`` are the tab's key bindings (actions of the tab): the card offers them while
    the tab is shown, wherever the focus is (the tab strip too), and asks the tab's
    ``check_action`` whether they may run. A tab tells the card what happened with
    messages: ``Changed`` (a change was saved: reload), ``Failed`` (a change failed),
    ``Activate`` (show me).
    """

    TITLE = ""  # message id of the tab's title
    KEYS: ClassVar[tuple[Binding, ...]] = ()
    FOCUS: ClassVar[str | None] = None  # the widget that takes the focus when shown
    COLUMNS: ClassVar[dict[str, tuple[Col, ...]]] = {}  # the tab's tables
    DEFAULT_CSS = """
    DealTab DataTable { height: auto; max-height: 1fr; }
    """

    class Changed(Message):
        """Something of the deal was saved: say ``note`` and reload the card, keeping
        ``typed`` (the Main form's typed values) on top — None: what is typed there now."""

        def __init__(self, note: str | None = None, typed: dict[str, Any] | None = None):
            super().__init__()
            self.note = note
            self.typed = typed

    class Failed(Message):
        """A change of the deal failed (a conflict, or an error to show)."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    class Activate(Message):
        """Show this tab."""

        def __init__(self, tab: DealTab) -> None:
            super().__init__()
            self.tab = tab

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view: DealView | None = None
        self._shown: dict[str, list[tuple[Col, int]]] = {}

    @property
    def card(self) -> DealCard | None:
        return self.view.card if self.view is not None else None

    def can_edit(self) -> bool:
        ctx = self.qapp.ctx
        return bool(ctx is not None and ctx.has(R.EDIT))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True

    def show(self, view: DealView) -> None:
        self.view = view
        self.fill(view)

    def fill(self, view: DealView) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def refit(self) -> None:
        """The screen was resized: size the tables to it again."""
        if self.COLUMNS and self.view is not None:
            self.fill(self.view)

    # --- changing the deal ----------------------------------------------------------------

    def version(self) -> int:
        """The version of the deal as last loaded (items are edited under it)."""
        assert self.card is not None
        return self.card.version

    def form(self, dialog: Any, done: str) -> None:
        """Push a form dialog; when it saved, the card says ``done`` and reloads."""

        def closed(result: Any) -> None:
            if result is not None:
                self.post_message(self.Changed(done))

        self.app.push_screen(dialog, closed)

    def op(self, fn: Callable[..., Any], *args: Any, done: str) -> None:
        """Run the service ``fn``; then the card says ``done`` and reloads."""
        self.call_service(
            fn,
            *args,
            then=lambda _result: self.post_message(self.Changed(done)),
            on_error=self.failed,
            group="deal-op",
        )

    def failed(self, error: BaseException) -> None:
        self.post_message(self.Failed(error))

    # --- tables ---------------------------------------------------------------------------

    def emptied(self, name: str) -> tuple[DataTable[Any], int]:
        """The table ``name`` emptied, its columns sized to the screen; and the row the
        cursor was on."""
        table = self.query_one(f"#{name}-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        room = max(self.screen.size.width - 4, 40)  # the pane's padding and a scrollbar
        cols = [c for c in self.COLUMNS[name] if not c.wide or room >= WIDE]
        shown = list(zip(cols, column_widths(cols, room), strict=True))
        for col, width in shown:
            table.add_column(_(col.title), key=col.key, width=width)
        self._shown[name] = shown
        return table, row

    def add(self, name: str, key: str, values: dict[str, str | Text | None]) -> None:
        """A row of the table ``name``: the cells of its shown columns, numbers right."""
        row = []
        for col, width in self._shown[name]:
            value = values.get(col.key)
            cell = value.copy() if isinstance(value, Text) else Text(value or "")
            cell.no_wrap = True
            cell.overflow = "ellipsis"
            if col.right:
                cell.align("right", width)
            row.append(cell)
        self.query_one(f"#{name}-table", DataTable).add_row(*row, key=key)

    def highlighted(self, name: str, rows: tuple[Any, ...]) -> Any | None:
        """The row of ``rows`` the cursor of the table ``name`` is on."""
        table = self.query_one(f"#{name}-table", DataTable)
        row = table.cursor_row
        return rows[row] if rows and 0 <= row < len(rows) else None


def table(name: str) -> DataTable[Any]:
    """A table of a tab, with the id ``{name}-table``."""
    return DataTable(id=f"{name}-table", cursor_type="row", zebra_stripes=True)
