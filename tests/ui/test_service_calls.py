"""call_service: every result reaches its ``then``, however the loading indicator's
delay falls against the worker and its message; the indicator shows only for a slow
call and is gone once it ends."""

from __future__ import annotations

import threading
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from qstui.ui import service_calls
from qstui.ui.service_calls import ServiceCalls


class Caller(ServiceCalls, App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[int] = []
        self.ctx = None

    @property
    def qapp(self) -> Any:
        return self

    def compose(self) -> ComposeResult:
        yield Static("", id="box")

    def ask(self, n: int, fn: Any) -> None:
        self.call_service(
            fn, n, with_context=False, then=self.got.append, loading=self.query_one("#box"),
            group=f"call-{n}",
        )  # fmt: skip


async def test_every_result_arrives_whenever_the_indicator_timer_fires(monkeypatch):
    # The timer due at the moment the worker ends: before, between or after its message.
    monkeypatch.setattr(service_calls, "LOADING_DELAY", 0.01)

    def around_the_delay(n: int) -> int:  # ends from 3 ms before the timer to 3 ms after
        time.sleep(0.007 + (n % 60) * 0.0001)
        return n

    app = Caller()
    async with app.run_test() as pilot:
        for n in range(300):
            app.ask(n, around_the_delay)
            if n % 20 == 0:
                await pilot.pause()
        for _ in range(200):
            await pilot.pause()
            if len(app.got) == 300:
                break
        assert sorted(app.got) == list(range(300))
        assert not app.query_one("#box").loading


async def test_the_indicator_shows_for_a_slow_call_only(monkeypatch):
    monkeypatch.setattr(service_calls, "LOADING_DELAY", 0.05)
    release = threading.Event()
    app = Caller()
    async with app.run_test() as pilot:
        box = app.query_one("#box")
        app.ask(1, lambda n: n)
        await pilot.pause(0.1)
        assert app.got == [1] and not box.loading  # quick: never shown
        app.ask(2, lambda n: release.wait(5) and n)
        await pilot.pause(0.2)
        assert box.loading  # slow: shown
        release.set()
        for _ in range(100):
            await pilot.pause(0.01)
            if app.got == [1, 2]:
                break
        assert app.got == [1, 2] and not box.loading
