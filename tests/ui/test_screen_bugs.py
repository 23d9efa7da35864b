"""The everyday screens' bugs of issue 14, each reproduced as a manager meets it: card
tabs by digit, no field overwritten by a key, a login typed in one burst, history dated
by when it happened, debt in red on 16 colours, the complete-plan dialog, and the small
ones (focus after login, F2, End, the week view, dropdowns, money hints, the proposal's
folder)."""

from __future__ import annotations

from tests.ui.conftest import LARGE, make_app, settle
from tests.ui.test_client_card_screen import ivanov_clients, open_card
from tests.ui.test_deal_card import open_deals, start
from textual.widgets import Input, TabbedContent

from qstui.screens.client_card import TABS
from qstui.screens.dialogs.help import key_table
from qstui.services.context import context_for


def active_tab(app) -> str:
    return app.screen.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-")


def help_rows(app) -> dict[str, str]:
    """F1's table of the current screen: key → what it does."""
    table = key_table(app.screen)
    keys, actions = table.columns[0].cells, table.columns[1].cells
    return {str(k): str(a) for k, a in zip(keys, actions, strict=True)}


async def test_plain_digits_switch_the_client_card_tabs_outside_a_text_field(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, ivanov_clients(demo_db)[0])
        names = [name for name, _cls in TABS]
        await pilot.press("2")
        await settle(pilot, app)
        assert active_tab(app) == names[1]
        await pilot.press("alt+3")  # where the terminal delivers alt+digit
        await settle(pilot, app)
        assert active_tab(app) == names[2]
        await pilot.press("8")
        await settle(pilot, app)
        assert active_tab(app) == "requisites"
        field = app.screen.query_one("#input-name", Input)
        field.focus()
        await pilot.pause()
        before = field.value
        await pilot.press("end", "3")  # a digit in a text field is typed, not a tab key
        await settle(pilot, app)
        assert active_tab(app) == "requisites"
        assert field.value == before + "3"
        rows = help_rows(app)
        assert rows.get("1, alt+1") == "History and plans" and rows.get("0, alt+0") == "Claims"


async def test_plain_and_alt_digits_switch_the_deal_card_tabs(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await start(pilot, app, open_deals(context_for(demo_db, "ivanov"), 1)[0])
        app.screen.query_one("#card-tabs Tabs").focus()
        await pilot.press("3")
        await settle(pilot, app)
        assert active_tab(app) == "products"
        await pilot.press("alt+5")
        await settle(pilot, app)
        assert active_tab(app) == "debt"
        rows = help_rows(app)
        assert rows.get("1, alt+1") == "Main"
