"""Card screens kept when closed and reused for the next record.

Building a card — its tab strip, a dozen panes, the footer — costs far more than filling
it (a client card: ~300 ms to build, ~40 ms to fill with the next client, measured on
the large demo, issue 9). So the app keeps one closed card of each kind installed and,
when a record of that kind is opened, hands it the new id (``reopen``) and pushes it
again. A card opened over a card of its own kind (a deal from a deal's client's card…)
is a new one. When the user logs out, the kept cards go with them.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from textual.app import App
from textual.screen import Screen


class Reopenable(Protocol):
    def reopen(self, ident: int) -> None:
        """Become the card of ``ident``: nothing of the previous record stays."""


S = TypeVar("S", bound=Screen)  # type: ignore[type-arg]


class KeptScreens:
    def __init__(self, app: App) -> None:  # type: ignore[type-arg]
        self.app = app
        self._kept: dict[type, Screen] = {}  # type: ignore[type-arg]

    def card(self, cls: type[S], ident: int) -> S:
        """The card of ``ident``: the kept one of ``cls`` reopened, or a new one (kept
        if none is)."""
        kept = self._kept.get(cls)
        if kept is not None and kept not in self.app.screen_stack:
            kept.reopen(ident)  # type: ignore[attr-defined]
            return kept  # type: ignore[return-value]
        screen = cls(ident)  # type: ignore[call-arg]
        if kept is None:
            self._kept[cls] = screen
            self.app.install_screen(screen, name=f"kept-{cls.__name__}")
        return screen

    async def forget(self) -> None:
        """Drop every kept card (after logging out: the next user gets new ones)."""
        kept, self._kept = list(self._kept.values()), {}
        for screen in kept:
            self.app.uninstall_screen(screen)
            if screen.is_attached:
                await screen.remove()
