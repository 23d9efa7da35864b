"""Nothing a manager does blocks the interface (issue 9): the everyday key presses —
the client list and its quick filter, a client card and its tabs, the deal list and a
deal card, the calendar's day, week and month, the start page — run with every event-loop
callback inside its budget of interface-thread CPU time (``loop_watch``). Database work
runs in worker threads; a handler that queried the database or rebuilt a whole table
synchronously would show here.

Painting a frame (Textual's compositor, on its refresh timer) is not held to the budget
here: on this 2-core machine a frame of the calendar's day list took 73 ms at 80×24 and
frames at 200×60 50–65 ms — the benchmark measures them, key press to painted screen
(bench/RESULTS.md). Building a module's screen the first time (70–100 ms) happens once a
session and is done before the watch starts."""

from __future__ import annotations

import pytest
from tests.ui.conftest import SMALL, log_in, make_app, settle
from tests.ui.loop_watch import watched

pytestmark = pytest.mark.one_backend


async def test_everyday_keys_never_block_the_loop(demo_db, monkeypatch):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        # what is built once a session is not watched: each module's screen, the cards
        for keys in (("f4",), ("enter",), ("escape",), ("f3",), ("f2",), ("enter",), ("escape",)):
            await pilot.press(*keys)
            await settle(pilot, app)
        with watched(monkeypatch) as watch:
            for keys in (
                ("ctrl+r",),
                ("slash", "о"),
                ("escape",),
                ("down", "down", "enter"),
                ("alt+2",),
                ("alt+3",),
                ("alt+1",),
                ("escape",),
                ("f4",),
                ("ctrl+r",),
                ("enter",),
                ("2",),
                ("escape",),
                ("f3",),
                ("w",),
                ("m",),
                ("d",),
                ("f9",),
                ("ctrl+r",),
            ):
                watch.step = f"{app.screen.__class__.__name__}: {' '.join(keys)}"
                await pilot.press(*keys)
                await settle(pilot, app)
        assert watch.callbacks > 100
        assert not watch.slow_handlers, watch.report()
