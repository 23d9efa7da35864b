"""Noticing a database server that no longer answers (issue 10: with the server's traffic
silently dropped, one call blocked for 228 s).

fbclient waits for the server's answer to a call with no time limit, and a server whose
packets vanish (a cable pulled, a firewall dropping them, a frozen host) looks from the
client exactly like a slow statement. Telling the two apart takes a second question,
asked on a fresh connection: does the server answer at all? So a limit on each call
alone would either cut long statements (an index built by a migration, a big report)
or wait too long for a dead server; the watch asks instead.

``ServerWatch`` keeps the calls in flight — each has a start time and a way to abort it.
Its thread wakes when the oldest call has waited ``timeout / 3`` and opens a fresh
connection (the probe), which gets ``timeout / 3`` to be accepted:

- no answer: the server is lost. Every call is marked lost and aborted (``on_lost``
  closes every connection of the engine on the client side), the blocked calls return
  at once, and their callers raise ``ServerNotAnswering`` — all within ``timeout`` of
  the call's start;
- an answer: the server lives. A long call is slow, not lost, and goes on (asked again
  every ``timeout / 3``); a *quick* call that waited that long, though — a ping, the
  closing of a connection — was sent on a connection the network forgot while it was
  idle (a firewall's or a NAT's table) and is aborted, unmarked: the pool connects
  anew.

``bounded(fn)`` runs a call that cannot be aborted — making a connection, which in a
network that drops packets waits in the kernel's TCP connect for about two minutes — in
a helper thread and gives up on it after ``timeout``; a connection it makes too late is
closed.

The default ``timeout`` is 30 s (``server_timeout`` in the config file,
``QSTUI_SERVER_TIMEOUT``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from qstui.domain.errors import ServerNotAnswering

DEFAULT_SERVER_TIMEOUT = 30  # seconds
IDLE_EXIT = 60.0  # seconds the watch thread stays without calls before it ends

Kind = Literal["work", "quick"]  # "quick": a ping or a close, one short round trip


@dataclass(eq=False)
class Call:
    """A call in flight: since when, how to abort it, and whether it was lost."""

    since: float
    abort: Callable[[], None]
    kind: Kind = "work"
    lost: bool = False
    aborted: bool = field(default=False, repr=False)


class ServerWatch:
    """The calls in flight to one server, and the thread that asks after them."""

    def __init__(
        self,
        timeout: float,
        probe: Callable[[], Any],
        on_lost: Callable[[], None] = lambda: None,
        close_late: Callable[[Any], None] = lambda result: None,
    ) -> None:
        """``probe()`` opens and closes a fresh connection (raises if it cannot);
        ``on_lost()`` aborts every connection once the server is lost; ``close_late``
        disposes of what a ``bounded`` call returned after it was given up."""
        self.timeout = float(timeout)
        self._probe = probe
        self._on_lost = on_lost
        self._close_late = close_late
        self._calls: set[Call] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def patience(self) -> float:
        """How long a call waits before the server is asked, and how long it may take
        to answer: a third of the timeout each."""
        return self.timeout / 3

    # --- calls ------------------------------------------------------------------------

    def hold(self, abort: Callable[[], None], kind: Kind = "work") -> Call:
        call = Call(time.monotonic(), abort, kind)
        with self._changed:
            self._calls.add(call)
            if not self._closed and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._run, name="qstui-server-watch", daemon=True
                )
                self._thread.start()
            self._changed.notify()
        return call

    def release(self, call: Call) -> None:
        with self._changed:
            self._calls.discard(call)

    @contextmanager
    def watching(self, abort: Callable[[], None], kind: Kind = "work") -> Iterator[Call]:
        call = self.hold(abort, kind)
        try:
            yield call
        finally:
            self.release(call)

    def bounded(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` in a helper thread, waited for at most ``timeout``; then
        ``ServerNotAnswering`` (and a result that comes later is closed)."""
        done = threading.Event()
        outcome: dict[str, Any] = {}
        lock = threading.Lock()

        def run() -> None:
            try:
                result = fn()
            except BaseException as error:  # handed to the caller
                outcome["error"] = error
            else:
                with lock:
                    late = outcome.get("given_up", False)
                    outcome["result"] = result
                if late:
                    self._close_late(result)
            done.set()

        threading.Thread(target=run, name="qstui-connect", daemon=True).start()
        done.wait(self.timeout)
        with lock:  # the decision and a late result cannot cross
            if "result" in outcome:
                return outcome["result"]
            outcome["given_up"] = True
        if "error" in outcome:
            raise outcome["error"]
        raise ServerNotAnswering(self.timeout)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify()

    # --- the watch thread -------------------------------------------------------------

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            with self._changed:
                if self._closed:
                    return
                now = time.monotonic()
                oldest = min((c.since for c in self._calls if not c.aborted), default=None)
                if oldest is None:
                    if now - idle_since >= IDLE_EXIT:
                        self._thread = None
                        return
                    self._changed.wait(IDLE_EXIT)
                    continue
                idle_since = now
                due = oldest + self.patience
                if now < due:
                    self._changed.wait(due - now)
                    continue
            self._check(time.monotonic())

    def _check(self, asked_at: float) -> None:
        """Ask the server; abort what waits in vain (see the module doc)."""
        answered = self._answers()
        with self._changed:
            waiting = [c for c in self._calls if not c.aborted and c.since <= asked_at]
            if answered:
                # a slow call goes on; it is asked about again after another third
                stale = [
                    c for c in waiting if c.kind == "quick" and asked_at - c.since >= self.patience
                ]
                for call in waiting:
                    call.since = max(call.since, asked_at)
            else:
                stale = list(self._calls)
                for call in stale:
                    call.lost = True
            for call in stale:
                call.aborted = True
        for call in stale:
            call.abort()
        if not answered:
            self._on_lost()

    def _answers(self) -> bool:
        """Whether a fresh connection is accepted within ``patience``."""
        done = threading.Event()
        result: dict[str, bool] = {}

        def ask() -> None:
            try:
                self._probe()
                result["ok"] = True
            except Exception:
                result["ok"] = False
            done.set()

        threading.Thread(target=ask, name="qstui-server-probe", daemon=True).start()
        return done.wait(self.patience) and result.get("ok", False)
