"""The network to the Firebird server goes dark during a save (issue 10, "A dead
network hangs"): the interface keeps answering keys while the save waits in its worker,
the error dialog says that the database server does not answer within the server
timeout, what was typed stays in the form, and the save goes through once the network
is back. The app reaches the demo database through a black-hole proxy
(``tests.black_hole``). Firebird only: SQLite has no network."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from tests.black_hole import BlackHole
from tests.ui.conftest import SMALL, make_app, screen_text, settle, to_tab
from tests.ui.test_client_card_screen import ivanov_clients, open_card, replace_field
from textual.worker import WorkerFailed

from qstui.db.engine import Database
from qstui.screens.dialogs.message import ErrorDialog
from qstui.services.clients import companies as clients
from qstui.services.context import context_for

pytestmark = pytest.mark.parametrize("backend", ["firebird"], indirect=True)

TIMEOUT = 3  # seconds: server_timeout of the app's database
SLACK = 2.0  # seconds a loaded machine may add


async def test_a_dark_network_during_a_save_keeps_the_interface_and_what_was_typed(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[5]
    with BlackHole(demo_db.url) as proxy:
        far = Database(proxy.url, server_timeout=TIMEOUT)
        try:
            app = make_app(far)
            async with app.run_test(size=SMALL) as pilot:
                screen = await open_card(pilot, app, company_id)
                await to_tab(pilot, app, "8")
                await replace_field(pilot, app, "city", "Кострома")
                proxy.go_dark()
                started = time.monotonic()
                await pilot.press("ctrl+s")
                # the save waits for the server in its worker; keys are handled meanwhile
                await pilot.press(*"-на-Волге")
                city = screen.query_one("#input-city")
                assert city.value == "Кострома-на-Волге"
                assert any(w.is_running for w in app.workers), "the save is not waiting"
                assert time.monotonic() - started < TIMEOUT

                for worker in [w for w in app.workers if w.is_running]:
                    with contextlib.suppress(WorkerFailed):  # its error goes to the dialog
                        await asyncio.wait_for(worker.wait(), TIMEOUT + SLACK + 10)
                await settle(pilot, app)
                assert time.monotonic() - started <= TIMEOUT + SLACK
                assert isinstance(app.screen, ErrorDialog)
                text = screen_text(app)
                assert "The database server does not answer" in text, text
                await pilot.press("enter")
                await settle(pilot, app)
                assert app.screen is screen
                assert city.value == "Кострома-на-Волге"
                assert clients.get_card(ctx, company_id).city != "Кострома"

                proxy.forward()
                city.focus()
                await pilot.press("ctrl+s")
                await settle(pilot, app)
                assert not isinstance(app.screen, ErrorDialog), screen_text(app)
                assert clients.get_card(ctx, company_id).city == "Кострома-на-Волге"
        finally:
            proxy.forward()  # a save still waiting (a failed test) ends
            far.dispose()
