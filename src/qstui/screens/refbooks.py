"""«Администрирование → Справочники» (S1): every reference book on the left with how
many values it holds, the highlighted book's values beside it. ``n`` adds a value,
Enter or ``e`` changes it, ``d`` deactivates or activates it (old records keep an
inactive value, new ones cannot pick it), Delete deletes one nothing uses (else the
refusal says where it is used), ``u`` shows where a value is used, ctrl+↑/ctrl+↓ move
it in the book's order, ``/`` filters the values, ``i`` hides or shows inactive ones.
For those with the right ``refbooks.edit``, which every service it calls checks again.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain.normalize import fold
from qstui.domain.refbooks import BookInfo, BookRow, Usage
from qstui.domain.refbooks import FieldType as T
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.screens.dialogs.message import ConfirmDialog
from qstui.screens.dialogs.refbook_value import RefValueDialog
from qstui.services.context import Context
from qstui.services.refbooks import books
from qstui.widgets.text_field import TextField

COLUMN_WIDTH = {T.BOOL: 6, T.INT: 8, T.DECIMAL: 12, T.DATE: 10, T.CHOICE: 12}


def book_view(
    ctx: Context, info: BookInfo
) -> tuple[list[BookRow], int, dict[str, list[tuple[Any, str]]]]:
    """The book's values, how many there are, and what each REF field of its form
    offers (the active values), read together: the form then opens at once."""
    rows, total = books.book_rows(ctx, info.name)
    choices = {f.key: books.ref_choices(ctx, f.ref or "") for f in info.fields if f.type is T.REF}
    return rows, total, choices


class RefbooksScreen(ModuleScreen):
    MODULE = "refbooks"
    AUTO_FOCUS = "#rb-books"
    BINDINGS = [
        Binding("n", "new", N_("New"), id="refbooks.new"),
        Binding("e", "edit", N_("Edit"), id="refbooks.edit"),
        Binding("d", "toggle_active", N_("On/off"), id="refbooks.active"),
        Binding("delete", "delete", N_("Delete…"), id="refbooks.delete"),
        Binding("u", "usage", N_("Where used"), id="refbooks.usage"),
        Binding("slash", "find", N_("Filter"), id="refbooks.find"),
        Binding("i", "inactive", N_("Inactive"), show=False, id="refbooks.inactive"),
        Binding("ctrl+up", "move(-1)", N_("Move up"), show=False, id="refbooks.up"),
        Binding("ctrl+down", "move(1)", N_("Move down"), show=False, id="refbooks.down"),
        Binding("escape", "back", N_("Back"), show=False, id="refbooks.back"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="refbooks.refresh"),
        Binding("down", "to_values", N_("To the values"), show=False, id="refbooks.values"),
    ]
    DEFAULT_CSS = """
    RefbooksScreen #rb-head { height: 1; padding: 0 1; text-style: bold; }
    RefbooksScreen #rb-books { width: 28; height: 1fr; }
    RefbooksScreen #rb-right { width: 1fr; height: 1fr; }
    RefbooksScreen #rb-filter { height: 1; margin: 0 0 0 1; }
    RefbooksScreen #rb-values { height: 1fr; }
    RefbooksScreen #rb-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[BookInfo] = books.book_infos()
        self.info: BookInfo | None = None
        self.rows: list[BookRow] = []  # the book's values as read
        self.shown_rows: list[BookRow] = []  # what the table shows, in its order
        self.total = 0
        self.choices: dict[str, list[tuple[Any, str]]] = {}  # the form's REF choices
        self.with_inactive = True
        self.loaded: str | None = None  # the book whose values and choices are read

    def compose_content(self) -> ComposeResult:
        yield Static(_("Administration · Reference books"), id="rb-head")
        with Horizontal():
            # the books are known without the database: keys typed at once find them
            yield OptionList(*(Option(i.title, id=i.name) for i in self.infos), id="rb-books")
            with Vertical(id="rb-right"):
                yield TextField(placeholder=_("/ filter the values"), id="rb-filter", compact=True)
                yield DataTable(id="rb-values", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rb-detail")

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#rb-values", DataTable)

    @property
    def book_list(self) -> OptionList:
        return self.query_one("#rb-books", OptionList)

    def on_mount(self) -> None:
        self.book_list.highlighted = 0  # opens the first book
        self.call_service(books.list_books, then=self._counted)

    # --- the books --------------------------------------------------------------------

    def action_refresh(self) -> None:
        """The books' counts, and the open book's values again."""
        self._reload(self.current.id if self.current else None)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        info = next((i for i in self.infos if i.name == event.option.id), None)
        if info is not None:
            self._open_book(info)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.table.focus()

    def _open_book(self, info: BookInfo, select: int | None = None) -> None:
        if self.info is None or self.info.name != info.name:
            # another book: nothing of the one before stays (a key must not act on it)
            self.query_one("#rb-filter", Input).value = ""
            self.rows, self.shown_rows, self.total, self.choices = [], [], 0, {}
            self.loaded = None
            self.table.clear(columns=True)
        self.info = info
        self._head()
        self.call_service(
            book_view,
            info,
            then=lambda result: self._show_rows(info, *result, select=select),
            loading=self.table,
            group="refbook-rows",
        )

    def _head(self) -> None:
        """The book's title with how many values it holds (and how many are inactive)."""
        info = next((i for i in self.infos if self.info and i.name == self.info.name), None)
        if info is None:
            return
        count = _("{n} values").format(n=info.count)
        if info.inactive:
            count += ", " + _("{n} inactive").format(n=info.inactive)
        self.query_one("#rb-head", Static).update(
            _("Administration · Reference books · {book}").format(book=info.title) + f" ({count})"
        )

    # --- the values -------------------------------------------------------------------

    def _show_rows(
        self,
        info: BookInfo,
        rows: list[BookRow],
        total: int,
        choices: dict[str, list[tuple[Any, str]]],
        select: int | None = None,
    ) -> None:
        if self.info is None or info.name != self.info.name:
            return  # another book was highlighted meanwhile
        self.rows, self.total, self.choices = rows, total, choices
        self.loaded = info.name
        table = self.table
        table.clear(columns=True)
        for f in info.fields:
            table.add_column(_(f.label), key=f.key, width=COLUMN_WIDTH.get(f.type))
        if info.can_deactivate:
            table.add_column(_("Active"), key="is_active", width=8)
        self._fill(select)
        self.qapp.shown("refbooks")

    def _fill(self, select: int | None = None) -> None:
        info = self.info
        if info is None:
            return
        keep = select if select is not None else (self.current.id if self.current else None)
        words = fold(self.query_one("#rb-filter", Input).value).split()
        rows = [r for r in self.rows if self.with_inactive or r.is_active]
        if words:
            rows = [r for r in rows if all(w in fold(" ".join(r.shown.values())) for w in words)]
        self.shown_rows = rows
        table = self.table
        table.clear()
        for r in rows:
            style = "" if r.is_active else "dim"
            cells = [Text(r.shown[f.key], style=style) for f in info.fields]
            if info.can_deactivate:
                cells.append(Text(_("yes") if r.is_active else _("no"), style=style))
            table.add_row(*cells, key=str(r.id))
        ids = [r.id for r in rows]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self._detail()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "rb-filter":
            event.stop()
            self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "rb-filter":
            event.stop()
            self.table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    @property
    def current(self) -> BookRow | None:
        row = self.table.cursor_row if self.shown_rows else -1
        return self.shown_rows[row] if 0 <= row < len(self.shown_rows) else None

    def _detail(self, extra: str = "") -> None:
        info, row = self.info, self.current
        parts: list[str] = []
        if info is not None:
            if self.total > len(self.rows):
                parts.append(_("Shown {n} of {total}").format(n=len(self.rows), total=self.total))
            if row is not None:
                parts.append(
                    " · ".join(
                        f"{_(f.label)}: {row.shown[f.key]}" for f in info.fields if row.shown[f.key]
                    )
                )
                if not row.is_active:
                    parts.append(_("inactive: not offered for new records"))
        if extra:
            parts.append(extra)
        self.query_one("#rb-detail", Static).update(" · ".join(parts))

    # --- actions ----------------------------------------------------------------------

    def _reload(self, select: int | None = None, message: str | None = None) -> None:
        if message:
            self.notify(message)
        self.call_service(books.list_books, then=self._counted)
        if self.info is not None:
            self._open_book(self.info, select)

    def _counted(self, infos: list[BookInfo]) -> None:
        """The counts again, without opening the book once more."""
        self.infos = infos
        self._head()

    def _form(self, row: BookRow | None) -> None:
        info = self.info
        if info is None or self.loaded != info.name:
            return  # the book is still loading
        choices = {key: list(values) for key, values in self.choices.items()}
        if row is not None:  # a value the row has stays offered, even if inactive
            for key, values in choices.items():
                value = row.values.get(key)
                if value is not None and value not in {v for v, _n in values}:
                    values.append((value, row.shown[key]))

        def saved(row_id: Any) -> None:
            if row_id is not None:
                self._reload(row_id, _("Saved"))

        self.app.push_screen(RefValueDialog(info, row, choices), saved)

    def action_new(self) -> None:
        self._form(None)

    def action_edit(self) -> None:
        if self.current is not None:
            self._form(self.current)

    def action_toggle_active(self) -> None:
        info, row = self.info, self.current
        if info is None or row is None:
            return
        if not info.can_deactivate:
            self.notify(_("The values of this book are not deactivated"), severity="warning")
            return
        done = _("Activated «{value}»") if not row.is_active else _("Deactivated «{value}»")
        label = self._label(row)
        self.call_service(
            books.set_active,
            info.name,
            row.id,
            row.version,
            not row.is_active,
            then=lambda _v: self._reload(row.id, done.format(value=label)),
        )

    def _label(self, row: BookRow) -> str:
        info = self.info
        assert info is not None
        return next((row.shown[f.key] for f in info.fields if row.shown[f.key]), str(row.id))

    def action_delete(self) -> None:
        info, row = self.info, self.current
        if info is None or row is None:
            return
        label = self._label(row)

        def answered(yes: Any) -> None:
            if yes:
                self.call_service(
                    books.delete_value,
                    info.name,
                    row.id,
                    row.version,
                    then=lambda _r: self._reload(None, _("Deleted «{value}»").format(value=label)),
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Delete «{value}» from «{book}»?").format(value=label, book=info.title)
            ),
            answered,
        )

    def action_usage(self) -> None:
        info, row = self.info, self.current
        if info is None or row is None:
            return

        def show(used: list[Usage]) -> None:
            where = ", ".join(f"{u.what}: {u.count}{'+' if u.more else ''}" for u in used)
            self._detail(_("Used by {where}").format(where=where) if used else _("Not used"))

        self.call_service(books.where_used, info.name, row.id, then=show)

    def action_move(self, step: int) -> None:
        info, row = self.info, self.current
        if info is None or row is None:
            return
        if not info.can_reorder:
            self.notify(_("The values of this book are listed by name"), severity="warning")
            return
        self.call_service(
            books.move_value, info.name, row.id, step, then=lambda _m: self._reload(row.id)
        )

    def action_to_values(self) -> None:
        """Down in the filter goes to the values (as Enter does)."""
        if self.query_one("#rb-filter", Input).has_focus:
            self.table.focus()

    def action_find(self) -> None:
        self.query_one("#rb-filter", Input).focus()

    def action_inactive(self) -> None:
        self.with_inactive = not self.with_inactive
        self._fill()
        self.notify(
            _("Inactive values shown") if self.with_inactive else _("Inactive values hidden")
        )

    def action_back(self) -> None:
        field = self.query_one("#rb-filter", Input)
        if field.has_focus and field.value:
            field.value = ""
        elif not self.book_list.has_focus:
            self.book_list.focus()
