"""Every key of a burst handled in order, as if typed one by one.

A password manager's auto-type (``ivanov⇥demo⏎``) or a paste over SSH arrives as one
chunk: the driver posts all its keys to the app at once. Textual's app forwards each key
to the widget that has the focus *when the app takes the key from its queue*, and the
widget handles it later, in its own queue; a key it does not handle (Tab) bubbles back up
to the app, behind the keys of the burst already forwarded. So «demo» was forwarded to
the login field before the Tab, handled last, moved the focus: "ivanovdemo".

``KeyOrder`` holds the keys of the driver while one is on its way: the next key is
forwarded only after the previous one went through the focused widget and every node
above it (a callback posted after the key into each of their queues runs when the key
has left it), so a key always finds the focus the previous one left. A key handled by a
priority binding, or forwarded nowhere, is done at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial

from textual import events
from textual.app import App
from textual.message_pump import MessagePump

SAFETY_SECONDS = 1.0  # a key whose widget vanished meanwhile stops holding the others


class KeyOrder:
    def __init__(self, app: App[object], handle: Callable[[events.Key], Awaitable[None]]) -> None:
        """``handle``: the app's own handling of a key from the driver."""
        self.app = app
        self.handle = handle
        self._held: deque[events.Key] = deque()
        self._on_its_way: object | None = None  # a token per key being followed

    async def key(self, event: events.Key) -> None:
        """A key from the driver: handled now, or after the keys before it."""
        self._held.append(event)
        if self._on_its_way is None:
            await self._next()

    async def _next(self) -> None:
        while self._held and self._on_its_way is None:
            event = self._held.popleft()
            target: MessagePump = self.app.focused or self.app.screen
            await self.handle(event)
            if event.is_forwarded:  # on its way through the widgets' queues
                token = object()
                self._on_its_way = token
                self.app.set_timer(SAFETY_SECONDS, partial(self._done, token))
                self._after(target, token)

    def _after(self, node: MessagePump, token: object) -> None:
        """Follow the key into ``node``'s queue: ``_left`` runs when the key has left it."""
        if not node.call_later(self._left, node, token):  # closing: the key goes no further
            self.app.call_later(self._done, token)

    def _left(self, node: MessagePump, token: object) -> None:
        parent = getattr(node, "parent", None)
        if node is self.app or parent is None:
            self.app.call_later(self._done, token)
        else:
            self._after(parent, token)

    async def _done(self, token: object) -> None:
        if token is self._on_its_way:
            self._on_its_way = None
            await self._next()
