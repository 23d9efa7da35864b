"""Fixtures for driving the TUI with Textual's pilot on a real demo database, on
SQLite and on Firebird (the ``backend`` fixture of tests/conftest.py). The clock is
frozen for every module here (``frozen_clock``): the demo and the tests agree on
"today" whatever the day they run."""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import Iterator

import pytest
from rich.console import Console
from tests.ui.demo_copies import demo_database
from textual import _wait
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from qstui.app import QstuiApp
from qstui.db.engine import Database
from qstui.domain.errors import ServiceError

SMALL = (80, 24)
LARGE = (200, 60)


@pytest.fixture(scope="module", autouse=True)
def _frozen_clock(frozen_clock: object) -> None:
    """Every UI module runs at the frozen moment, its demo database made on that day."""


# How often the pilot looks whether the app has gone idle (Textual: every 1/50 s).
IDLE_CHECK = 1 / 200


@pytest.fixture(scope="module", autouse=True)
def _quick_idle_checks() -> Iterator[None]:
    """After every key and pause the pilot waits until the app is idle, looking at the
    CPU time it used in the last slice of ``SLEEP_GRANULARITY``; each look sleeps that
    slice at least, which was 40 % of a UI test's time. Looked at four times as often,
    the rule is the same (idle: under 1/20 of the slice busy) and the messages a key
    sent are still all handled first (``Pilot._wait_for_screen``); the workers that
    query the database are waited for by ``settle``. Each UI module, then as before."""
    looks = inspect.getsource(_wait.wait_for_idle)
    assert "sleep(SLEEP_GRANULARITY)" in looks and "< SLEEP_IDLE" in looks, "Textual changed"
    before = _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE
    _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = IDLE_CHECK, IDLE_CHECK / 20
    yield
    _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = before


@pytest.fixture(scope="module")
def demo_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A fresh small demo database per test module (seed 1, anchored on the clock's
    today: the frozen day)."""
    with demo_database(backend, tmp_path_factory) as db:
        yield db


def make_app(db: Database, login: str | None = None) -> QstuiApp:
    return QstuiApp(db, login=login)


async def settle(pilot: Pilot, app: QstuiApp, rounds: int = 20) -> None:
    """Wait until no worker runs and the screen has processed what they posted: two
    quiet rounds in a row, since a worker's result may open a screen whose own workers
    start only on the next round (on a loaded machine a single quiet round can come
    between the two)."""
    quiet = 0
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        quiet = 0 if any(w.is_running for w in app.workers) else quiet + 1
        if quiet == 2:
            return


async def workers_done(app: QstuiApp) -> None:
    """Wait for the workers running now. A service's refusal raised in one (a wrong
    password, a conflict, a lost server: a ``ServiceError``) is the app's to show and the
    test's to read on the screen; whether the worker had already ended when the test
    looked, or was still running, does not matter. Any other error fails the test."""
    ended = await asyncio.gather(*(w.wait() for w in list(app.workers)), return_exceptions=True)
    for outcome in ended:
        refused = isinstance(outcome, WorkerFailed) and isinstance(outcome.error, ServiceError)
        if isinstance(outcome, BaseException) and not refused:
            raise outcome


async def log_in(pilot: Pilot, app: QstuiApp, login: str, password: str = "demo") -> None:
    """Type a login and password on the login screen, as a person does."""
    await settle(pilot, app)
    login_input = app.screen.query_one("#login")
    login_input.value = ""
    login_input.focus()
    await pilot.press(*login)
    await pilot.press("enter")
    await pilot.press(*password)
    await pilot.press("enter")
    await settle(pilot, app)


async def to_tab(pilot: Pilot, app: QstuiApp, digit: str | None) -> None:
    """alt+digit on the client card, then wait until the tab has the focus and keeps it
    (None: the card's first tab, as a person waits to see the card before typing)."""
    from qstui.screens.client_card import TABS

    if digit is not None:
        await pilot.press(f"alt+{digit}")
    await settle(pilot, app)
    name = TABS[(int(digit or "1") - 1) % 10][0]
    steady = 0
    for _attempt in range(60):
        tab = app.screen.tab(name)  # type: ignore[attr-defined]
        inside = tab is not None and app.focused is not None and tab in app.focused.ancestors
        steady = steady + 1 if inside else 0
        if steady == 3:
            return
        await pilot.pause()
    raise AssertionError(f"the focus did not reach the tab {name}: {app.focused}")


def screen_text(app: QstuiApp) -> str:
    """Everything on the screen as plain text (what the user reads): the same render
    as ``App.export_screenshot``, exported as text instead of SVG."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


async def shown(pilot: Pilot, app: QstuiApp, *parts: str, rounds: int = 40) -> str:
    """The screen's text once every one of ``parts`` is on it — a notification is laid
    out on a refresh after the worker that raised it has ended — or the last text seen
    (the test's own assertion then says what is missing)."""
    text = screen_text(app)
    for _ in range(rounds):
        if all(part in text for part in parts):
            break
        await pilot.pause(0.01)
        text = screen_text(app)
    return text
