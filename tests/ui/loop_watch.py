"""A watch on the event loop for Pilot tests: every callback the loop runs is timed by
the CPU time of the interface thread, and the ones over a budget are kept with what
they ran. CPU time of the one thread, not wall time: a loaded machine (CI runs two
workers on two cores beside the Firebird server) stretches wall time, not the work a
handler does; a database call in a handler still shows, the driver's Python work runs
on this thread.

The collector's pauses inside a callback are not counted against it: a full collection
runs in whichever callback happens to allocate when the threshold is crossed (30–90 ms
with the app's setting, ``qstui.memory``) and made this test fail now and then under
load; what a handler itself does is what the budget is for, and the benchmark measures
key press to painted screen, pauses included."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

BUDGET_MS = 50.0  # issue 9: nothing blocks the event loop for more than a frame or so


def is_render(what: str) -> bool:
    """Textual's screen refresh (its update timer): the compositor painting a frame."""
    return "Timer._run_timer" in what


@dataclass
class LoopWatch:
    budget_ms: float = BUDGET_MS
    slow: list[tuple[float, str]] = field(default_factory=list)
    callbacks: int = 0
    step: str = ""  # what the test is doing (named in the report)

    @property
    def slow_handlers(self) -> list[tuple[float, str]]:
        """The slow callbacks that ran handlers (messages, actions, workers' results),
        not a frame's painting — which the benchmark measures, key press to screen."""
        return [(ms, what) for ms, what in self.slow if not is_render(what)]

    def report(self) -> str:
        return "\n".join(f"{ms:7.1f} ms  {what}" for ms, what in sorted(self.slow, reverse=True))


def _describe(handle: Any) -> str:
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return f"task {task.get_coro()!r}"[:300]
    return repr(callback)[:300]


@contextmanager
def watched(monkeypatch: pytest.MonkeyPatch, budget_ms: float = BUDGET_MS) -> Iterator[LoopWatch]:
    watch = LoopWatch(budget_ms)
    run = asyncio.events.Handle._run
    collecting = {"since": 0.0, "spent": 0.0}  # the collector, in this thread's CPU time
    loop_thread = threading.get_ident()

    def on_collection(phase: str, info: dict[str, Any]) -> None:
        if threading.get_ident() != loop_thread:  # a worker's collection: its own time
            return
        if phase == "start":
            collecting["since"] = time.thread_time()
        else:
            collecting["spent"] += time.thread_time() - collecting["since"]

    def timed_run(handle: asyncio.events.Handle) -> None:
        started = time.thread_time()
        collected = collecting["spent"]
        try:
            run(handle)
        finally:
            watch.callbacks += 1
            pauses = collecting["spent"] - collected
            spent = (time.thread_time() - started - pauses) * 1000
            if spent > watch.budget_ms:
                watch.slow.append((spent, f"[{watch.step}] {_describe(handle)}"))

    monkeypatch.setattr(asyncio.events.Handle, "_run", timed_run)
    gc.callbacks.append(on_collection)
    try:
        yield watch
    finally:
        gc.callbacks.remove(on_collection)
