"""Row-cursor tables of cards and pages: translated column titles, long texts cut on a
narrow terminal so that 80 columns still show every column, refills that keep the
cursor on its line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from qstui.i18n import _

Cells = Sequence[str | Text]

WIDE = 170  # from this terminal width on: full tab titles, long cell texts not cut


def card_table(table_id: str, columns: Sequence[str | tuple[str, int]]) -> DataTable[str | Text]:
    """A row-cursor table with translated column titles. ``columns`` are message ids, or
    (message id, length) for a column whose long texts are cut to ``length`` characters
    on a narrow terminal (so that 80 columns show the columns after it)."""
    table: DataTable[str | Text] = DataTable(
        id=table_id, cursor_type="row", zebra_stripes=True, classes="card-table"
    )
    caps: list[int | None] = []
    for column in columns:
        title, cap = column if isinstance(column, tuple) else (column, None)
        table.add_column(_(title))
        caps.append(cap)
    table.caps = caps  # type: ignore[attr-defined]
    return table


def fitted_caps(
    caps: Sequence[int | None], titles: Sequence[str], rows: Sequence[Cells], room: int
) -> list[int | None]:
    """``caps`` made smaller, each in proportion, so that the columns fit in ``room``
    cells (Textual's padding of two cells per column included): the uncapped columns
    keep the width of their longest text; a capped one keeps at least ``MIN_CAP``."""
    fixed = sum(
        max([len(titles[i]), *(len(r[i]) for r in rows)])
        for i, cap in enumerate(caps)
        if cap is None
    )
    capped = sum(cap for cap in caps if cap)
    free = room - fixed - 2 * len(caps)
    if capped <= free:
        return list(caps)
    return [None if cap is None else max(MIN_CAP, cap * free // capped) for cap in caps]


MIN_CAP = 6


def clip(cell: str | Text, cap: int | None) -> str | Text:
    if cap is None or len(cell) <= cap:
        return cell
    if isinstance(cell, Text):
        cell = cell.copy()
        cell.truncate(cap, overflow="ellipsis")
        return cell
    return cell[: cap - 1] + "…"


def fill_table(table: DataTable[str | Text], rows: Iterable[tuple[str, Cells]]) -> None:
    """Replace the rows, keeping the cursor on the same line where possible. The columns
    are as wide as the new rows need: DataTable's ``clear`` keeps their widths, and only
    widens them as rows come, so a table refilled with shorter texts stayed wide."""
    row = table.cursor_row
    caps: list[int | None] = getattr(table, "caps", [])
    narrow = table.app.size.width < WIDE
    if narrow and caps:
        rows = [
            (key, [clip(c, caps[i] if i < len(caps) else None) for i, c in enumerate(cells)])
            for key, cells in rows
        ]
    else:
        rows = [(key, list(cells)) for key, cells in rows]
    table.clear()
    columns = table.ordered_columns
    widths = [column.label.cell_len for column in columns]
    for _key, cells in rows:
        for i, cell in enumerate(cells[: len(widths)]):
            widths[i] = max(widths[i], cell.cell_len if isinstance(cell, Text) else cell_len(cell))
    for column, width in zip(columns, widths, strict=True):
        if column.auto_width:  # set before anything is drawn: the head and rows agree
            column.content_width = width
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if table.row_count:
        table.move_cursor(row=max(0, min(row, table.row_count - 1)), animate=False)


def current_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (None: an empty table)."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # the cursor is outside the rows
        return None
    return None if key.value is None else str(key.value)
