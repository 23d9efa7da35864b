"""Every key qstui declares has a binding id, and the Russian-layout twins of the letter
keys come from the app's keymap by those ids (``qstui.ui.keys``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

import qstui.screens
import qstui.widgets
from qstui import i18n
from qstui.app import QstuiApp
from qstui.i18n import N_
from qstui.ui import keys
from qstui.ui.localized import Localized


def _ui_classes() -> list[type]:
    """Every class defined in app.py, screens/ and widgets/ (all their modules imported)."""
    modules = [importlib.import_module("qstui.app")]
    for package in (qstui.screens, qstui.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            modules.append(importlib.import_module(info.name))
    return [
        obj
        for module in modules
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__
    ]


def _declared() -> list[tuple[type, Binding]]:
    return [
        (cls, binding)
        for cls in _ui_classes()
        for binding in cls.__dict__.get("BINDINGS", ())
        if isinstance(binding, Binding | tuple)
    ]


def test_every_key_qstui_declares_is_a_binding_with_an_id():
    declared = _declared()
    assert len(declared) > 80
    anonymous = [
        f"{cls.__qualname__}: {binding!r}"
        for cls, binding in declared
        if not isinstance(binding, Binding) or not binding.id
    ]
    assert anonymous == []


def test_one_id_is_one_key_and_one_action():
    """The keymap is global: an id used twice must mean the same keys for the same action."""
    meanings: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for _cls, binding in _declared():
        meanings[binding.id].add((binding.key, binding.action))  # type: ignore[index]
    assert {i: m for i, m in meanings.items() if len(m) > 1} == {}


def test_the_classes_with_letter_keys_are_localized():
    """Only a ``Localized`` node puts its keys into the keymap: a class with a key that
    has a Russian twin must be one (the app puts its own in)."""
    missing = [
        cls.__qualname__
        for cls, binding in _declared()
        if keys.with_twins(binding.key) != binding.key and not issubclass(cls, Localized | QstuiApp)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("declared", "mapped"),
    [
        ("s", "s,ы"),
        ("S", "S,Ы"),
        ("escape,n", "escape,n,т"),
        ("insert,a", "insert,a,ф"),
        ("escape,f1,q", "escape,f1,q,й"),
        ("comma", "comma,б"),
        ("left_square_bracket", "left_square_bracket,х"),
        ("ctrl+n", "ctrl+n"),
        ("alt+1", "alt+1"),
        ("delete", "delete"),
    ],
)
def test_a_letter_key_gets_its_russian_twin(declared: str, mapped: str):
    assert keys.with_twins(declared) == mapped


def test_twins_are_known_as_twins():
    assert keys.is_twin("ы") and keys.is_twin("Ы") and keys.is_twin("б")
    assert not keys.is_twin("s") and not keys.is_twin("comma") and not keys.is_twin("f1")


def test_the_keymap_of_a_screen_holds_its_keys_and_their_twins():
    from qstui.screens.clients import ClientsScreen, ClientTable

    keymap = keys.keymap_of(ClientsScreen)
    assert keymap["clients.sort"] == "s,ы"
    assert keymap["clients.sort_direction"] == "S,Ы"
    assert keymap["clients.new"] == "ctrl+n"
    # a subclass has the keys of its bases too
    table = keys.keymap_of(ClientTable)
    assert table["clients.open"] == "enter" and table["table.last"] == "end,ctrl+end"


# --- the mechanism, on a small app of its own ----------------------------------------------


class _Box(Localized, Static):
    """A widget mounted after the app started: its keys reach the keymap when it is made."""

    BINDINGS = [Binding("b", "mark('box')", N_("Sort"), id="test.box")]
    can_focus = True

    def action_mark(self, what: str) -> None:
        self.app.pressed.append(what)  # type: ignore[attr-defined]


class _Screen(Localized, Screen[None]):
    BINDINGS = [
        Binding("s", "mark('sort')", N_("Sort"), id="test.sort"),
        Binding("ctrl+n", "mark('new')", N_("Quit"), id="test.new"),
    ]

    def compose(self) -> ComposeResult:
        yield Footer()

    def action_mark(self, what: str) -> None:
        self.app.pressed.append(what)  # type: ignore[attr-defined]


class _App(App[None]):
    BINDINGS = [Binding("f1", "help", N_("Help"), id="test.help")]

    def __init__(self) -> None:
        super().__init__()
        keys.install(self)
        self.pressed: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(_Screen())


async def test_the_russian_twin_runs_the_action_and_the_footer_shows_the_latin_key():
    i18n.set_language("ru")
    app = _App()
    async with app.run_test() as pilot:
        await pilot.press("ы", "s")
        assert app.pressed == ["sort", "sort"]
        shown = {
            key: active.binding.description for key, active in app.screen.active_bindings.items()
        }
        assert shown["s"] == shown["ы"] == "Сортировка"  # translated where shown
        assert shown["ctrl+n"] == "Выход" and shown["f1"] == "Справка"
        footer = [
            (binding.key, binding.description)
            for _node, binding, _enabled, _tip in app.screen.active_bindings.values()
            if binding.show
        ]
        assert footer[:2] == [("s", "Сортировка"), ("ы", "Сортировка")]  # Latin first
        assert footer[-1] == ("f1", "Справка")

        # a Localized widget mounted later brings its keys along
        await app.screen.mount(_Box("box"))
        app.screen.query_one(_Box).focus()
        await pilot.press("и", "b")
        assert app.pressed[-2:] == ["box", "box"]


def test_a_node_made_without_a_running_app_is_left_alone():
    _Box("box")  # no app: nothing to give the keymap to, and no error
