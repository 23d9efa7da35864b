"""Letter keys that work on the Russian ЙЦУКЕН layout too, through Textual's keymap.

A Russian user would otherwise have to switch layouts for every command: ``s`` sorts the
client list, and so does ``ы``, the key in the same place on the Russian layout. Every
binding qstui declares has an ``id``; the app's keymap (``App.update_keymap``, Textual's
public way to give a binding other keys) maps it to its own keys followed by their twins
(``"s,ы"``). The footer and the command palette show the first key of an action, the
Latin one; F1 help leaves the twins out (``is_twin``).

The keymap of a class is added to the app the first time a node of that class is made
(``install``, called by ``Localized``), so the screens imported on first use bring their
keys with them. Bindings of every qstui class are in the keymap, not only those with a
twin: Textual moves a remapped binding after the others of its node, and the footer keeps
its order only when all of them move together.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from weakref import WeakKeyDictionary

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.types import NoActiveAppError

# The same physical keys on the Russian ЙЦУКЕН layout.
_LATIN = "qwertyuiopasdfghjklzxcvbnm"
_CYRILLIC = "йцукенгшщзфывапролдячсмить"
_PUNCTUATION = {
    "left_square_bracket": "х",
    "right_square_bracket": "ъ",
    "semicolon": "ж",
    "apostrophe": "э",
    "comma": "б",
    "full_stop": "ю",
    "grave_accent": "ё",
}
RUSSIAN_TWIN: dict[str, str] = {
    **dict(zip(_LATIN, _CYRILLIC, strict=True)),
    **dict(zip(_LATIN.upper(), _CYRILLIC.upper(), strict=True)),
    **_PUNCTUATION,
}
_TWINS = frozenset(RUSSIAN_TWIN.values())


def is_twin(key: str) -> bool:
    """Whether ``key`` is the Russian-layout twin of a Latin key (not shown in help)."""
    return key in _TWINS


def with_twins(keys: str) -> str:
    """A binding's keys followed by their Russian-layout twins: ``"s"`` → ``"s,ы"``,
    ``"escape,n"`` → ``"escape,n,т"``, ``"ctrl+n"`` → ``"ctrl+n"``."""
    own = [key.strip() for key in keys.split(",")]
    twins = [RUSSIAN_TWIN[key] for key in own if key in RUSSIAN_TWIN]
    return ",".join([*own, *(twin for twin in twins if twin not in own)])


def digit_keys(digit: str) -> str:
    """The keys of a card's tab ``digit``: the plain digit, which every terminal sends and
    which a text field with the focus takes as typed text (the binding is not a priority
    one), and alt+digit where the terminal delivers it (xterm and tmux send ``ESC digit``
    only with ``metaSendsEscape``)."""
    return f"{digit},alt+{digit}"


def declared_bindings(cls: type) -> Iterator[Binding]:
    """The ``Binding``s the classes of ``cls``'s MRO declare in their own ``BINDINGS``
    (bases first)."""
    for klass in reversed(cls.__mro__):
        for binding in klass.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding):
                yield binding


@cache
def keymap_of(cls: type) -> dict[str, str]:
    """Binding id → its keys and their twins, for every binding with an id that ``cls``
    has (its own and its bases')."""
    return {b.id: with_twins(b.key) for b in declared_bindings(cls) if b.id}


# per app, the keymap entries already given to it
_installed: WeakKeyDictionary[App[object], dict[str, str]] = WeakKeyDictionary()


def install(node: DOMNode) -> None:
    """Give the running app the keymap entries of ``node``'s class (once per class)."""
    if isinstance(node, App):
        app: App[object] = node
    else:
        try:
            app = node.app
        except NoActiveAppError:  # made outside a running app: nothing to map keys for
            return
    entries = keymap_of(type(node))
    known = _installed.setdefault(app, {})
    new = {key: keys for key, keys in entries.items() if known.get(key) != keys}
    if new:
        known.update(new)
        app.update_keymap(new)
