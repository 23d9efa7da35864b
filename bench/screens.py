"""From the key press to the painted screen, through a headless qstui.

The app announces each screen's data once it is painted (``QstuiApp.shown`` →
``paint_listeners``, after the refresh that put it on screen); the stop-watch runs from
just before the key press to that moment — no sleeps, no settle loops. What the
terminal itself costs (writing the escape sequences) is not counted: the headless
driver writes nothing.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.measure import Figure
from qstui.app import QstuiApp
from qstui.db.engine import Database
from qstui.ui.modules import allowed

SIZE = (200, 60)
PASSWORD = "demo"
TIMEOUT = 60.0


@dataclass(frozen=True)
class Step:
    name: str
    kind: str  # the target class (bench.targets)
    keys: tuple[str, ...]  # pressed together, the clock running
    waits_for: str  # what the app announces once painted
    undo: tuple[str, ...] = ()  # keys that return to where the step started
    undo_waits_for: str | None = None
    before: tuple[str, ...] = ()  # pressed first, the clock stopped ...
    focus: str | None = None  # ... until the focus is on this widget


class Watch:
    """Waits for the app to announce a painted screen."""

    def __init__(self, app: QstuiApp) -> None:
        self.app = app
        self.seen: list[tuple[str, float]] = []
        self.changed = asyncio.Event()
        app.paint_listeners.append(self._heard)

    def _heard(self, what: str) -> None:
        self.seen.append((what, time.perf_counter()))
        self.changed.set()

    def mark(self) -> int:
        return len(self.seen)

    async def until(self, what: str, since: int) -> float:
        """The moment ``what`` was painted, after the mark ``since``."""
        deadline = time.perf_counter() + TIMEOUT
        while True:
            for name, at in self.seen[since:]:
                if name == what:
                    return at
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{what} was not painted within {TIMEOUT:.0f} s")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                continue


async def _press(pilot: Any, watch: Watch, keys: tuple[str, ...], what: str) -> float:
    since = watch.mark()
    started = time.perf_counter()
    await pilot.press(*keys)
    return (await watch.until(what, since) - started) * 1000


async def _focus_on(pilot: Any, app: QstuiApp, widget_id: str) -> None:
    """Wait until the focus is on ``widget_id`` (leaving the quick filter moves it there
    a moment after the list is painted)."""
    for _ in range(200):
        if app.focused is not None and app.focused.id == widget_id:
            return
        await pilot.pause()
    raise TimeoutError(f"the focus did not come to {widget_id}: {app.focused}")


async def _log_in(pilot: Any, app: QstuiApp, watch: Watch, login: str) -> None:
    since = watch.mark()
    for _ in range(200):  # the login screen mounts
        if app.screen.query("#login"):
            break
        await pilot.pause()
    field = app.screen.query_one("#login")
    field.value = ""  # type: ignore[attr-defined]
    field.focus()
    await pilot.press(*login, "enter", *PASSWORD, "enter")
    await watch.until("today", since)


def steps(tabs: list[str]) -> list[Step]:
    """The key presses measured, in the order they are made (each ends where the next
    one starts)."""
    out = [
        Step("client list, reload", "list", ("ctrl+r",), "clients-table"),
        Step(
            "client list, typing a quick-filter letter",
            "type",
            ("р",),
            "clients-table",
            undo=("escape",),
            undo_waits_for="clients-table",
            before=("slash",),  # into the quick filter: the letter is what is timed
            focus="quick",
        ),
        Step(
            "open a client card",
            "card",
            ("enter",),
            "client_card",
            undo=("escape",),
        ),
    ]
    # the card opens on its first tab: the others in turn, then back to the first
    keyed = [(f"alt+{n % 10}", tab) for n, tab in enumerate(tabs, start=1)]
    return out + [
        Step(f"client card, tab {tab}", "card", (key,), f"client_card.{tab}")
        for key, tab in keyed[1:] + keyed[:1]
    ]


@dataclass
class Session:
    """One logged-in headless app; its steps measured ``runs`` times each."""

    db: Database
    login: str
    runs: int

    async def measure(self, only: Callable[[str], bool]) -> dict[str, Figure]:
        from qstui.screens.client_card import TABS_ORDER

        times: dict[str, list[float]] = {}
        app = QstuiApp(self.db, login=self.login)
        async with app.run_test(size=SIZE) as pilot:
            watch = Watch(app)
            await _log_in(pilot, app, watch, self.login)
            await _press(pilot, watch, ("f2",), "clients-table")

            async def step(s: Step) -> None:
                if s.before:
                    await pilot.press(*s.before)
                    await _focus_on(pilot, app, s.focus or "")
                    await pilot.pause()
                times.setdefault(s.name, []).append(await _press(pilot, watch, s.keys, s.waits_for))
                if s.undo:
                    since = watch.mark()
                    await pilot.press(*s.undo)
                    if s.undo_waits_for:
                        await watch.until(s.undo_waits_for, since)
                    await pilot.pause()
                await _focus_on(pilot, app, "clients-table")  # where the next step starts

            client_steps = [s for s in steps([]) if only(s.name)]
            for _ in range(self.runs + 1):  # the first round warms up
                for s in client_steps:
                    await step(s)
            await self._card_tabs(pilot, watch, list(TABS_ORDER), times, only)
            await self._modules(pilot, watch, times, only)
        return {name: Figure.of(t[1:] if len(t) > 1 else t) for name, t in times.items()}

    async def _card_tabs(
        self,
        pilot: Any,
        watch: Watch,
        tabs: list[str],
        times: dict[str, list[float]],
        only: Callable[[str], bool],
    ) -> None:
        """Each tab of a card: first shown (built on demand), then switched back to."""
        wanted = [s for s in steps(tabs)[3:] if only(s.name)]
        if not wanted:
            return
        for _ in range(self.runs + 1):
            await _press(pilot, watch, ("enter",), "client_card")
            for s in wanted:
                times.setdefault(s.name, []).append(await _press(pilot, watch, s.keys, s.waits_for))
            await pilot.press("escape")
            await pilot.pause()

    async def _modules(
        self,
        pilot: Any,
        watch: Watch,
        times: dict[str, list[float]],
        only: Callable[[str], bool],
    ) -> None:
        plan: list[tuple[str, str, tuple[str, ...], str, Callable[[], Awaitable[None]] | None]] = [
            ("deal list, reload", "list", ("ctrl+r",), "deals-table", None),
            ("open a deal card", "card", ("enter",), "deal_card", None),
            ("calendar month", "list", ("m",), "calendar.month", None),
            ("start page (Today), reload", "list", ("ctrl+r",), "today", None),
            ("funnel (F8), the next pipeline", "report", ("p",), "funnel", None),
            ("report (F6), sales recomputed", "report", ("ctrl+r",), "reports", None),
            ("reference books (F11), the next book", "list", ("down",), "refbooks", None),
        ]
        module_of = {  # what a step waits for → the module it is in
            "deals-table": "deals",
            "deal_card": "deals",
            "calendar.month": "calendar",
            "today": "today",
            "funnel": "funnel",
            "reports": "reports",
            "refbooks": "refbooks",
        }
        may_open = {m.name: m.key for m in allowed(pilot.app.ctx.rights)}
        for name, _kind, keys, what, _ in plan:
            if not only(name) or module_of[what] not in may_open:
                continue  # a module the user may not open (reference books: a manager)
            await pilot.press(may_open[module_of[what]])
            await pilot.pause()
            if what == "calendar.month":
                await pilot.press("d")  # from the day view to the month, each time
            elif what == "reports":  # the first ready report (sales), computed once
                await _press(pilot, watch, ("enter",), "reports")
            for _ in range(self.runs + 1):
                times.setdefault(name, []).append(await _press(pilot, watch, keys, what))
                if what == "deal_card":
                    await pilot.press("escape")
                elif what == "calendar.month":
                    await _press(pilot, watch, ("d",), "calendar.day")
                await pilot.pause()


def kinds() -> dict[str, str]:
    """The target class of every painted measurement, by name."""
    from qstui.screens.client_card import TABS_ORDER

    out = {s.name: s.kind for s in steps(list(TABS_ORDER))}
    out.update(
        {
            "deal list, reload": "list",
            "open a deal card": "card",
            "calendar month": "list",
            "start page (Today), reload": "list",
            "funnel (F8), the next pipeline": "report",
            "report (F6), sales recomputed": "report",
            "reference books (F11), the next book": "list",
            "cold start to the client list": "start",
        }
    )
    return out


IMPORT = "import qstui.app, qstui.screens.login, qstui.screens.today, qstui.screens.clients"


def _process_start() -> float:
    """A new Python process importing what the app needs to show its first screens
    (ms): the part of a cold start the headless app below cannot see."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORT], check=True)
    return (time.perf_counter() - started) * 1000


async def cold_start(db: Database, login: str, runs: int) -> Figure:
    """What a person waits for from typing ``qstui`` to the client list: a new process
    importing the app, the login screen painted, then Enter on the password → the
    start page painted, then F2 → the client list painted. Typing the login and the
    password is the person's time and is not counted."""
    times = []
    for _ in range(runs + 1):
        waited = _process_start()
        started = time.perf_counter()
        app = QstuiApp(db, login=login)
        watch = Watch(app)  # before the app starts: it announces the login screen early
        async with app.run_test(size=SIZE) as pilot:
            waited += (await watch.until("login", 0) - started) * 1000
            field = app.screen.query_one("#login")
            field.value = ""  # type: ignore[attr-defined]
            field.focus()
            await pilot.press(*login, "enter", *PASSWORD)
            waited += await _press(pilot, watch, ("enter",), "today")
            waited += await _press(pilot, watch, ("f2",), "clients-table")
        times.append(waited)
    return Figure.of(times[1:])


def run_screens(
    db: Database, login: str, runs: int, only: Callable[[str], bool]
) -> dict[str, Figure]:
    figures = asyncio.run(Session(db, login, runs).measure(only))
    if only("cold start to the client list"):
        figures["cold start to the client list"] = asyncio.run(
            cold_start(db, login, max(3, runs // 3))
        )
    return figures
