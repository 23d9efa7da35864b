"""The footer of every screen: Textual's ``Footer``, rebuilt only when what it shows
changes.

Textual recomposes its footer (a widget per key) whenever the screen's bindings may have
changed — on every focus change. A card moves the focus a few times while it opens, and
each rebuild cost 20–40 ms (measured on the client card, issue 9); most of them showed
the very same keys.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Any, ...] | None = None
        self.rebuilds = 0  # how many times the keys were laid out anew (tests)

    def _keys(self) -> tuple[Any, ...]:
        """What the footer shows: each shown key with its text, state and hint."""
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip, binding.group)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    async def recompose(self) -> None:
        if not self.is_attached:  # its screen is being closed
            return
        keys = self._keys()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        self.rebuilds += 1
        await super().recompose()
