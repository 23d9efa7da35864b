"""The command palette (ctrl+p): find a client, a contact person or a deal by what one
types, go to a module, or run a key of the current screen — in the user's language.

Three providers (``COMMANDS`` of the app):

- ``FindProvider`` asks ``services.search.find_anything`` in a worker thread (the
  palette stays responsive while the database answers) and opens what was chosen: a
  company's or a contact's card, a deal card. Products and articles have no screen yet,
  so they are not offered.
- ``NavigationProvider``: the modules the user's rights open (with their F-keys), the
  1C reference sync (with ``onec.exchange``), the exchange journal, the other
  interface language (Русский / English), help, log out, quit. Shown as soon as the
  palette opens.
- ``ScreenActionsProvider``: the keys of the screen the palette was opened over (those
  qstui declares, with their descriptions), run in the place they belong to, and the
  commands that screen offers itself (its ``palette_commands()``: a deal card's 1C
  commands).

Before login (``app.ctx`` is None) none of them offers anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

from qstui.domain.normalize import fold
from qstui.domain.search import HitKind, SearchHit
from qstui.i18n import N_, _, language
from qstui.services import rights as R
from qstui.services.errors import describe
from qstui.services.search.find import find_anything
from qstui.ui.modules import allowed
from qstui.ui.textual_private import PaletteWithOwnTexts

if TYPE_CHECKING:
    from qstui.app import QstuiApp
    from qstui.services.context import Context

SEARCH_LIMIT = 12
KIND_LABELS = {
    HitKind.COMPANY: N_("client"),
    HitKind.CONTACT: N_("contact person"),
    HitKind.DEAL: N_("deal"),
    HitKind.ARTICLE: N_("article"),
}
# The 1C exchange, for whoever may run it: (sync kind, message id)
ONEC_COMMANDS = (
    ("counterparties", N_("1C: sync counterparties")),
    ("nomenclature", N_("1C: sync nomenclature")),
)
# Switching to the other interface language: its title in the current language (the
# palette speaks one language), found by its own name too (whoever cannot read the
# current one types their own: «English», «Русский»)
LANGUAGE_TITLES = {"ru": N_("Interface language: Russian"), "en": N_("Interface language: English")}
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
# App-level commands besides the modules: (action, message id, key shown).
APP_COMMANDS = (
    ("help", N_("Help: the keys of this screen"), "f1"),
    ("logout", N_("Log out"), "ctrl+o"),
    ("quit", N_("Quit"), "ctrl+q"),
)


def _ctx(provider: Provider) -> Context | None:
    return getattr(provider.app, "ctx", None)


def _key(app: Any, key: str) -> str:
    """A key as the footer shows it (``^o``, ``f2``)."""
    return str(app.get_key_display(Binding(key, "", "")))


def _help(*parts: str) -> str:
    """Help text of a hit: plain text (the palette reads it as markup)."""
    return escape(" · ".join(p for p in parts if p))


class QstuiCommandPalette(PaletteWithOwnTexts):
    """Textual's palette with its own texts in the user's language."""

    def __init__(self) -> None:
        super().__init__(
            placeholder=_("Find a client, a contact, a deal, or a command…"),
            id="--command-palette",
        )

    def no_matches_text(self) -> str:
        return _("Nothing found")


# --- find a client, a contact, a deal ----------------------------------------------------


def highlight(title: str, query: str, style: Any) -> Content:
    """``title`` with the beginnings of its words that a typed word starts underlined
    (the search matches word prefixes, case- and ё-insensitively)."""
    content = Content(title)
    folded = fold(title)
    if not style or len(folded) != len(title):
        return content
    starts = [
        i for i, ch in enumerate(folded) if ch.isalnum() and (i == 0 or not folded[i - 1].isalnum())
    ]
    for word in {w for w in fold(query).split() if w}:
        for start in starts:
            if folded.startswith(word, start):
                content = content.stylize(style, start, start + len(word))
    return content


class FindProvider(Provider):
    """Clients, contact persons, deals and articles found by the typed text (find
    anything)."""

    async def search(self, query: str) -> Hits:
        ctx = _ctx(self)
        text = query.strip()
        if ctx is None or not text:
            return
        app: QstuiApp = self.app  # type: ignore[assignment]
        try:
            found = await asyncio.to_thread(find_anything, ctx, text, SEARCH_LIMIT)
        except Exception as exc:  # a database error: said in the list, the palette goes on
            message = str(describe(exc))
            yield Hit(0.0, Content(message), partial(app.show_error, exc), text=message)
            return
        for rank, hit in enumerate(found):
            command = self._command(app, hit)
            if command is None:
                continue
            display = highlight(hit.title, text, self.match_style)
            yield Hit(
                1.0 - rank / 100,
                display,
                command,
                text=hit.title,
                help=_help(_(KIND_LABELS[hit.kind]), hit.subtitle),
            )

    @staticmethod
    def _command(app: QstuiApp, hit: SearchHit) -> Callable[[], Any] | None:
        if hit.kind is HitKind.COMPANY:
            return partial(app.open_client, hit.id)
        if hit.kind is HitKind.CONTACT and hit.company_id is not None:
            return partial(app.open_client, hit.company_id)
        if hit.kind is HitKind.DEAL:
            return partial(app.open_deal, hit.id)
        if hit.kind is HitKind.ARTICLE:
            return partial(app.open_article, hit.id)
        return None  # products: nothing opens them yet


# --- modules and the app's own commands --------------------------------------------------


# A listed command: its title, help, what it runs, and a name it is found by too
# (not shown)
Listed = tuple[str, str, Callable[[], Any]] | tuple[str, str, Callable[[], Any], str]


class _ListedCommands(Provider):
    """A fixed list of commands: all of them on an empty input, fuzzy-matched else."""

    def _commands(self) -> Iterator[Listed]:  # pragma: no cover
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help_text, command, *_also in self._commands():
            yield DiscoveryHit(Content(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command, *also in self._commands():
            score = max(matcher.match(text) for text in (title, *also))
            if score > 0:
                highlighted = matcher.highlight(escape(title))
                yield Hit(score, highlighted, command, text=title, help=help_text)


class NavigationProvider(_ListedCommands):
    """The modules the user may open, help, log out and quit."""

    def _commands(self) -> Iterator[Listed]:
        ctx = _ctx(self)
        if ctx is None:
            return
        app = self.app
        for module in allowed(ctx.rights):
            title = _(module.title)
            yield (
                title,
                _help(_key(app, module.key), _("open the module")),
                partial(app.run_action, f"module('{module.name}')"),
            )
        if ctx.has(R.ONEC_EXCHANGE):
            yield (
                _("1C: import a bank statement"),
                _help(_("incoming payments to clients and deals")),
                app.open_bank_import,  # type: ignore[attr-defined]
            )
        if ctx.has(R.ONEC_EXCHANGE):
            for kind, label in ONEC_COMMANDS:
                yield (
                    _(label),
                    _help(_("compare, choose, run")),
                    partial(app.open_onec_sync, kind),  # type: ignore[attr-defined]
                )
        if ctx.has(R.ONEC_EXCHANGE) or ctx.has(R.ADMIN):
            yield (
                _("1C: exchange journal"),
                _help(_("the runs of the exchange and their log")),
                app.open_onec_journal,  # type: ignore[attr-defined]
            )
        other = "en" if language() == "ru" else "ru"
        yield (
            _(LANGUAGE_TITLES[other]),
            _help(_("remembered for your next login")),
            partial(app.switch_language, other),  # type: ignore[attr-defined]
            LANGUAGE_NAMES[other],
        )
        for action, label, key in APP_COMMANDS:
            yield _(label), _help(_key(app, key)), partial(app.run_action, action)


# --- the keys of the current screen --------------------------------------------------------


def declared_actions(node: DOMNode) -> set[str]:
    """Actions bound by qstui's own classes of ``node`` (not Textual's built-in keys,
    whose descriptions are not translated: cursor moves, scrolling…)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("qstui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            action = getattr(binding, "action", None)
            if action is None and isinstance(binding, tuple) and len(binding) > 1:
                action = binding[1]
            if action:
                actions.add(action)
    return actions


class ScreenActionsProvider(_ListedCommands):
    """What the keys of the current screen (and of the field or table in focus) do."""

    def _commands(self) -> Iterator[Listed]:
        if _ctx(self) is None:
            return
        app = self.app
        seen: set[tuple[int, str]] = set()
        declared: dict[int, set[str]] = {}
        for active in self.screen.active_bindings.values():
            namespace, binding = active.node, active.binding
            if namespace is app or not active.enabled or not binding.description:
                continue
            if id(namespace) not in declared:
                declared[id(namespace)] = declared_actions(namespace)
            if binding.action not in declared[id(namespace)]:
                continue
            if (id(namespace), binding.action) in seen:
                continue
            seen.add((id(namespace), binding.action))
            yield (
                _(binding.description),
                _help(str(app.get_key_display(binding)), _("this screen")),
                partial(app.run_action, binding.action, namespace),
            )
        offered = getattr(self.screen, "palette_commands", None)
        if offered is not None:
            yield from offered()


PROVIDERS = (FindProvider, NavigationProvider, ScreenActionsProvider)
