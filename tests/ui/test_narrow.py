"""80×24 (issue 14, item 13): the module panel collapses to its keys (below 100 columns,
or by F12), the client list shows name, INN, city, phone and manager, a card's head
never breaks an amount, the card's tab strip shows the active tab, the deal card's
«Main» fits, Today shows its summary and three rows of every table.

And snapshots (pytest-textual-snapshot's SVG files) of the main screens at 80×24 and
200×60 in Russian, as the users see them: Today, the client list, the client card, the
deal card and the calendar, as ivanov. Deterministic: the clock is frozen
(tests/conftest.py), the demo is seeded, the database URL in the header is replaced.
Cheap: one run of the app per size goes through the five screens (a run per screen, as
``snap_compare`` makes, cost half as much again). Every screen is compared before the
test fails; a changed one is written to the test's tmp_path to look at. After a change
of the screens: ``pytest --snapshot-update tests/ui/test_narrow.py -k main_screens``,
and look at the SVGs in ``__snapshots__/test_narrow`` before committing them.

What is drawn does not depend on the database: SQLite only, one demo for the module."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, Tabs

from qstui import i18n
from qstui.app import QstuiApp
from qstui.domain import formatting as fmt
from qstui.widgets.module_panel import ModulePanel

pytestmark = pytest.mark.one_backend


def _panel(app: QstuiApp) -> ModulePanel:
    return app.screen.query_one(ModulePanel)


def _lines(app: QstuiApp) -> list[str]:
    return screen_text(app).replace("\u00a0", " ").splitlines()


async def test_module_panel_collapses_below_100_columns_and_by_f12(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 30)) as pilot:
        await log_in(pilot, app, "ivanov")
        panel = _panel(app)
        assert panel.outer_size.width == 22 and "Clients" in screen_text(app)
        assert "f12 Modules" in _lines(app)[-1]  # the key is in the footer

        await pilot.resize_terminal(99, 30)
        await settle(pilot, app)
        assert panel.outer_size.width == 4
        assert [line[:3] for line in _lines(app)[1:8]] == [
            "F2 ",
            "F3 ",
            "F4 ",
            "F5 ",
            "F6 ",
            "F7 ",
            "F8 ",
        ]
        assert "Clients" not in screen_text(app)

        await pilot.resize_terminal(120, 30)  # widened: as wide as before
        await settle(pilot, app)
        assert panel.outer_size.width == 22

        await pilot.press("f12")  # the user's choice holds over the width
        await settle(pilot, app)
        assert panel.outer_size.width == 4
        await pilot.press("f2")  # on every module's screen
        await settle(pilot, app)
        assert _panel(app).outer_size.width == 4
        await pilot.resize_terminal(80, 24)
        await pilot.press("f12")
        await settle(pilot, app)
        assert _panel(app).outer_size.width == 22
        await pilot.resize_terminal(90, 24)
        await settle(pilot, app)
        assert _panel(app).outer_size.width == 22

        await pilot.press("f1")  # F1 lists the key
        await settle(pilot, app)
        keys = app.screen.query_one("#help-keys", Static).content
        assert ("f12", "Modules") in zip(keys.columns[0].cells, keys.columns[1].cells, strict=True)


async def test_client_list_shows_five_columns_at_80(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f2")
        await settle(pilot, app)
        table = app.screen.query_one("#clients-table", DataTable)
        assert [str(c.label).strip() for c in table.columns.values()] == [
            "Company",
            "INN",
            "City",
            "Phone",
            "Manager",
        ]
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no side scroll
        row = app.screen.table.current  # type: ignore[attr-defined]
        line = next(line for line in _lines(app) if row.inn in line)
        assert row.phone in line and row.manager.split()[0] in line
        assert row.name[:8] in line

        await pilot.resize_terminal(*LARGE)  # every column where there is room
        await settle(pilot, app)
        assert len(table.columns) == 7


async def test_card_head_never_breaks_an_amount(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f2", "enter")
        await settle(pilot, app)
        card = app.screen.card  # type: ignore[attr-defined]
        amount = fmt.money(card.total_debt, "RUB").replace("\u00a0", " ")
        for width in (64, 72, 79, 80, 86, 99):
            await pilot.resize_terminal(width, 24)
            await settle(pilot, app)
            head = _lines(app)[:3]
            assert any(amount in line for line in head), (width, head)


async def test_card_tab_strip_shows_the_active_tab(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f2", "enter")
        await settle(pilot, app)
        for key in ("0", "1", "9", "left_square_bracket", "right_square_bracket", "3"):
            await pilot.press(key)
            await settle(pilot, app)
            tabs = app.screen.query_one(Tabs)
            label = tabs.active_tab.label.plain  # type: ignore[union-attr]
            strip = next(line for line in _lines(app) if "History" in line or "Claims" in line)
            assert label in strip, (key, label, strip)


async def test_deal_card_main_fits_at_80x24(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f4", "enter")
        await settle(pilot, app)
        scroll = app.screen.query_one("#main-scroll", VerticalScroll)
        inputs = list(scroll.query("Input, Select").results())
        assert len(inputs) == 8
        assert all(w.outer_size.height == 1 for w in inputs if isinstance(w, Input | Select))
        assert scroll.max_scroll_y == 0  # nothing of «Main» below the screen
        notes = app.screen.query_one("#input-notes")
        assert notes.region.bottom <= scroll.region.bottom

        await pilot.resize_terminal(*LARGE)  # room for the bordered inputs
        await settle(pilot, app)
        assert all(w.outer_size.height == 3 for w in scroll.query(Input))


async def test_today_shows_the_summary_and_three_rows_a_table(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        page = app.screen.query_one("#today", VerticalScroll)
        assert page.max_scroll_y == 0  # everything below is on the screen
        text = screen_text(app)
        assert "Today, 25.11.2026" in text and "open deals:" in text
        tables = list(page.query(DataTable).results(DataTable))
        assert sum(table.row_count >= 3 for table in tables) >= 3  # the demo fills them
        for table in tables:
            rows = min(table.row_count, 3)
            assert table.outer_size.height >= rows + 1, table.id  # its header and the rows
            assert table.virtual_size.width <= table.size.width, table.id  # no side scroll

        await pilot.press("f12")  # the panel in full: narrower tables, still no side scroll
        await settle(pilot, app)
        assert app.screen.query_one(ModulePanel).outer_size.width == 22
        for table in tables:
            assert table.virtual_size.width <= table.size.width, table.id


# the screen's name, and the keys that lead there from the one before
SCREENS = (
    ("today", ()),
    ("client_list", ("f2",)),
    ("client_card", ("enter",)),
    ("deal_card", ("escape", "f4", "enter")),
    ("calendar", ("escape", "f3")),
)


async def _shot(pilot: Pilot, app: QstuiApp) -> str:
    """The screen as an SVG once everything on it is filled (no blinking cursor)."""
    await settle(pilot, app)
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    return app.export_screenshot(title="qstui", simplify=False)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
async def test_main_screens(snapshot, demo_db, size, tmp_path: Path):
    svg_snapshot = snapshot.use_extension(SVGImageExtension)
    i18n.set_language("ru")
    app = make_app(demo_db)
    shots: dict[str, str] = {}
    async with app.run_test(size=size) as pilot:
        await log_in(pilot, app, "ivanov")
        app.sub_title = "demo"  # the database's path differs from run to run
        for name, keys in SCREENS:
            for key in keys:
                await pilot.press(key)
                await settle(pilot, app)
            shots[name] = await _shot(pilot, app)
    changed = [name for name, svg in shots.items() if svg_snapshot(name=name) != svg]
    for name in changed:
        (tmp_path / f"{name}.svg").write_text(shots[name])
    assert not changed, f"screens changed at {size}: {changed} (new ones in {tmp_path})"
