"""Keys in the user's language and on the user's keyboard layout.

``BINDINGS`` are class attributes built at import time, so their descriptions are message
ids (``N_``); a screen shows them translated: ``Localized.active_bindings`` (what the
footer, F1 help and the command palette read) translates them at the time they are shown.
The keys of every screen, dialog and widget that is ``Localized`` work on the Russian
layout too (``ui.keys``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from textual.binding import ActiveBinding, Binding

from qstui.i18n import _, language
from qstui.ui import keys


@lru_cache(maxsize=2048)
def _translated(binding: Binding, lang: str) -> Binding:
    if not binding.description:  # _("") would be the catalogue's header
        return binding
    return replace(binding, description=_(binding.description))


def translate(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """The same active bindings with their descriptions in the current language."""
    lang = language()
    return {
        key: active._replace(binding=_translated(active.binding, lang))
        for key, active in bindings.items()
    }


class Localized:
    """Mixin for qstui's screens, dialogs and widgets: their keys also work on the
    Russian layout, and a screen shows the descriptions of its keys (its own, its
    widgets' and the app's) in the user's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys.install(self)  # type: ignore[arg-type]

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """``Screen.active_bindings``, translated (a screen's only)."""
        return translate(super().active_bindings)  # type: ignore[misc]
