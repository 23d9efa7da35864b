"""The one place qstui touches private Textual attributes, for what Textual has no public
call for. Each use is checked by tests/unit/test_textual_private.py, which fails when the
pinned Textual (pyproject.toml) is replaced by one that changed what is used here.

- ``set_column_width``: a DataTable column gets a new width after it was added (the name
  column of the client list takes the room the other columns leave).
- ``PaletteWithOwnTexts``: the command palette's "No matches found" line in the user's
  language.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable
from textual.widgets.data_table import Column
from textual.widgets.option_list import Option


def set_column_width(table: DataTable[object], column: Column, width: int) -> None:
    """Give ``column`` of ``table`` the width ``width`` (what ``add_column`` does to fit a
    new column: measure again on the next idle, forget the rendered lines, repaint)."""
    column.width = width
    table._require_update_dimensions = True
    table._clear_caches()
    table.refresh()


class PaletteWithOwnTexts(CommandPalette):
    """Textual's command palette whose "no matches" line says ``no_matches_text()``.

    Textual adds that line half a second after a search found nothing; this is its
    ``_start_no_matches_countdown`` with our text.
    """

    def no_matches_text(self) -> str:
        return "No matches found"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if not search_value:
                self._list_visible = False
                return
            self.query_one(CommandList).add_option(
                Option(
                    Align.center(Text(self.no_matches_text(), style="not bold")),
                    disabled=True,
                    id=self._NO_MATCHES,
                )
            )
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
