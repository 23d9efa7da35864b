"""What ``qstui.ui.textual_private`` takes from Textual's insides is still there and
still does the job: these fail when an upgrade of Textual changes it (then adapt that one
module, or drop a use Textual has made public)."""

from __future__ import annotations

import inspect

from textual.app import App, ComposeResult
from textual.command import CommandList, CommandPalette, Hits, Provider
from textual.reactive import Reactive
from textual.widgets import DataTable

from qstui.ui.textual_private import PaletteWithOwnTexts, set_column_width


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


# --- set_column_width --------------------------------------------------------------------


def test_data_table_still_measures_again_on_the_flag_set_for_a_new_column():
    assert "self._require_update_dimensions" in inspect.getsource(DataTable.__init__)
    assert "self._require_update_dimensions" in inspect.getsource(DataTable._on_idle)
    assert "self._require_update_dimensions = True" in inspect.getsource(DataTable.add_column)
    assert _parameters(DataTable._clear_caches) == ["self"]
    assert "self._clear_caches()" in inspect.getsource(DataTable.clear)


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(cell_padding=1)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("a", key="a", width=4)
        table.add_column("b", key="b", width=4)
        table.add_row("1", "2")


async def test_a_column_takes_its_new_width_on_screen():
    app = _TableApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        before = table.virtual_size.width
        header = table.render_line(0).text
        assert header.index("b") == 7  # padding, 4 cells of «a», padding twice

        set_column_width(table, table.columns["a"], 12)  # type: ignore[index]
        await pilot.pause()
        assert table.columns["a"].width == 12  # type: ignore[index]
        assert table.virtual_size.width == before + 8
        assert table.render_line(0).text.index("b") == 15
        assert table.render_line(1).text.index("2") == 15


# --- PaletteWithOwnTexts -------------------------------------------------------------------


def test_the_palette_still_shows_no_matches_from_the_countdown_it_starts():
    countdown = CommandPalette._start_no_matches_countdown
    assert _parameters(countdown) == ["self", "search_value"]
    source = inspect.getsource(countdown)
    assert '"No matches found"' in source and "self._NO_MATCHES" in source
    assert "_start_no_matches_countdown(" in inspect.getsource(CommandPalette)
    assert _parameters(CommandPalette._stop_no_matches_countdown) == ["self"]
    assert isinstance(CommandPalette._NO_MATCHES, str)
    assert isinstance(CommandPalette._NO_MATCHES_COUNTDOWN, int | float)
    assert isinstance(inspect.getattr_static(CommandPalette, "_list_visible"), Reactive)
    assert "self._no_matches_timer" in inspect.getsource(CommandPalette.__init__)


class _Nothing(Provider):
    async def search(self, query: str) -> Hits:
        return
        yield


class _OwnPalette(PaletteWithOwnTexts):
    def no_matches_text(self) -> str:
        return "Rien trouvé"


class _PaletteApp(App[None]):
    COMMANDS = {_Nothing}

    def on_mount(self) -> None:
        self.push_screen(_OwnPalette())


async def test_the_palette_says_our_words_when_nothing_is_found():
    app = _PaletteApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press(*"zzz")
        for _ in range(30):  # the line comes _NO_MATCHES_COUNTDOWN seconds after the search
            await pilot.pause(0.05)
            found = app.screen.query_one(CommandList)
            if found.option_count:
                break
        option = found.get_option_at_index(0)
        assert option.id == CommandPalette._NO_MATCHES
        assert option.prompt.renderable.plain == "Rien trouvé"  # type: ignore[union-attr]
