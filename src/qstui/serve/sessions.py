"""The session slots of ``qstui serve``: at most ``limit`` sessions, counting those whose
user has logged in but whose browser has not opened the terminal yet.

A login that succeeds reserves a slot and gets a one-time ticket (256 random bits) that
holds the credentials for ``ticket_seconds``; the terminal's websocket claims it, which
turns the reservation into a running session, and the session releases its slot when it
ends. A ticket expires unclaimed: its slot is free again and its password forgotten.
So no more than ``limit`` processes ever run, and none for someone who did not log in.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from qstui.serve.handoff import Credentials

TICKET_SECONDS = 60.0


class Sessions:
    def __init__(
        self,
        limit: int,
        ticket_seconds: float = TICKET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.ticket_seconds = ticket_seconds
        self._clock = clock
        self._tickets: dict[str, tuple[Credentials, float]] = {}
        self.running = 0

    @property
    def used(self) -> int:
        """Running sessions and reserved slots."""
        self._forget_expired()
        return self.running + len(self._tickets)

    def full(self) -> bool:
        return self.used >= self.limit

    def reserve(self, credentials: Credentials) -> str | None:
        """A ticket for a session of ``credentials``, or None when every slot is taken."""
        if self.full():
            return None
        ticket = secrets.token_urlsafe(32)
        self._tickets[ticket] = (credentials, self._clock() + self.ticket_seconds)
        return ticket

    def claim(self, ticket: str) -> Credentials | None:
        """The credentials of a valid ticket, which is used up: its slot now belongs to
        a running session (``release`` it when the session ends). None for a ticket that
        is unknown, used or expired."""
        self._forget_expired()
        entry = self._tickets.pop(ticket, None)
        if entry is None:
            return None
        self.running += 1
        return entry[0]

    def release(self) -> None:
        self.running = max(0, self.running - 1)

    def _forget_expired(self) -> None:
        now = self._clock()
        for ticket in [t for t, (_c, until) in self._tickets.items() if until <= now]:
            del self._tickets[ticket]
