"""The command palette (ctrl+p): find a client, a contact person or a deal by typed text
(only what the user may see), go to a module, run a key of the current screen; nothing
before login; the palette answers keys while the database searches; its texts in
Russian. Both backends (the ``demo_db`` fixture)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from textual.command import CommandList, CommandPalette

from qstui import i18n
from qstui.db.models import AppUser
from qstui.domain.deals import DealFilter
from qstui.domain.errors import DatabaseUnavailable
from qstui.domain.normalize import fold
from qstui.domain.search import HitKind
from qstui.screens import palette
from qstui.services.access import users
from qstui.services.clients.companies import list_clients
from qstui.services.clients.contacts import list_contacts
from qstui.services.context import Context, context_for
from qstui.services.deals import list_deals
from qstui.services.search.find import find_anything

ACTIONABLE = (HitKind.COMPANY, HitKind.CONTACT, HitKind.DEAL)


def shown(app: Any) -> list[Any]:
    """The hits the palette lists, in order (their ``text``)."""
    commands = app.screen.query_one(CommandList)
    return [commands.get_option_at_index(i) for i in range(commands.option_count)]


def shown_texts(app: Any) -> list[str]:
    return [str(option.hit.text) for option in shown(app) if not option.disabled]


async def open_palette(pilot: Any, app: Any, text: str = "") -> None:
    await pilot.press("ctrl+p")
    await settle(pilot, app)
    assert CommandPalette.is_open(app)
    if text:
        await pilot.press(*text)
        await settle(pilot, app)


async def choose(pilot: Any, app: Any, which: str | int) -> None:
    """Move the palette's cursor to the hit ``which`` (its text or its place) and press
    Enter."""
    texts = shown_texts(app)
    index = which if isinstance(which, int) else texts.index(which)
    assert 0 <= index < len(texts), (which, texts)
    await pilot.press(*["down"] * index)
    assert app.screen.query_one(CommandList).highlighted == index
    await pilot.press("enter")
    await settle(pilot, app)
    assert not CommandPalette.is_open(app)


def expected_hits(ctx: Context, query: str) -> list[Any]:
    return [h for h in find_anything(ctx, query, palette.SEARCH_LIMIT) if h.kind in ACTIONABLE]


def unique_company_query(ctx: Context, other: Context) -> tuple[Any, str]:
    """One of ``ctx``'s companies and a typed prefix whose first hit it is, while the
    same prefix also finds a company of somebody else (which ``ctx`` must not see)."""
    mine = {r.id for r in list_clients(ctx, limit=1000).rows}
    for row in list_clients(ctx, limit=200).rows:
        for word in sorted(fold(row.name).replace("«", " ").replace("»", " ").split(), key=len):
            if len(word) < 5 or not word.isalpha():
                continue
            query = word[:5]
            hits = expected_hits(ctx, query)
            theirs = [h for h in find_anything(other, query, 50) if h.kind is HitKind.COMPANY]
            if (
                hits
                and hits[0].id == row.id
                and hits[0].kind is HitKind.COMPANY
                and any(h.id not in mine for h in theirs)
            ):
                return row, query
    raise AssertionError("no suitable company name in the demo")


@pytest.mark.one_backend
async def test_find_a_client_a_deal_and_a_contact_then_open_them(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    head = context_for(demo_db, "head")
    company, query = unique_company_query(ivanov, head)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "ivanov")
        await open_palette(pilot, app, query)
        expected = expected_hits(ivanov, query)
        titles = shown_texts(app)
        assert titles == [h.title for h in expected]  # the search's order, only mine
        text = screen_text(app)
        assert company.name in text
        assert f"client · {expected[0].subtitle}".rstrip(" ·") in text
        mine = {r.id for r in list_clients(ivanov, limit=1000).rows}
        hidden = [
            h.title
            for h in find_anything(head, query, 50)
            if h.kind is HitKind.COMPANY and h.id not in mine
        ]
        assert hidden and not set(hidden) & set(titles)  # another manager's clients: never
        await pilot.press("enter")  # the first hit
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        assert app.screen.company_id == company.id
        assert company.name in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)

        # a deal, by the beginnings of words of its title: the deal card opens
        deal, query = findable(ivanov, HitKind.DEAL, _my_deals(ivanov))
        await open_palette(pilot, app, query)
        expected = expected_hits(ivanov, query)
        assert shown_texts(app) == [h.title for h in expected]
        index = [(h.kind, h.id) for h in expected].index((HitKind.DEAL, deal.id))
        assert f"deal · {expected[index].subtitle}" in screen_text(app)
        await choose(pilot, app, index)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.deal_id == deal.id
        await pilot.press("escape")
        await settle(pilot, app)

        # a contact person: the card of the person's company
        person, query = findable(ivanov, HitKind.CONTACT, _my_contacts(ivanov))
        await open_palette(pilot, app, query)
        expected = expected_hits(ivanov, query)
        index = [(h.kind, h.id) for h in expected].index((HitKind.CONTACT, person.id))
        assert f"contact person · {expected[index].subtitle}" in screen_text(app)
        await choose(pilot, app, index)
        assert type(app.screen).__name__ == "ClientCardScreen"
        assert app.screen.company_id == expected[index].company_id


def _my_deals(ctx: Context) -> list[tuple[int, str]]:
    rows = list_deals(ctx, DealFilter(manager_id=ctx.user_id), limit=50).rows
    return [(d.id, d.title) for d in rows]


def _my_contacts(ctx: Context) -> list[tuple[int, str]]:
    return [
        (person.id, person.full_name)
        for row in list_clients(ctx, limit=10).rows
        for person in list_contacts(ctx, row.id)
    ]


def findable(ctx: Context, kind: HitKind, objects: list[tuple[int, str]]) -> tuple[Any, str]:
    """An object of ``kind`` (id, title) and a short query of the beginnings of two
    words of its title that finds it (few keys to type)."""
    for ident, title in objects:
        words = [w for w in fold(title).split() if len(w) >= 3 and w.isalpha()]
        query = " ".join(w[:4] for w in words[:2])
        if query and (kind, ident) in [(h.kind, h.id) for h in expected_hits(ctx, query)]:
            return next(h for h in expected_hits(ctx, query) if h.id == ident), query
    raise AssertionError(f"nothing of kind {kind} found by a short query")


@pytest.mark.one_backend
async def test_modules_and_the_keys_of_the_current_screen(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await open_palette(pilot, app)  # empty input: what there is to do
        texts = shown_texts(app)
        for module in ("Today", "Clients", "Calendar", "Deals"):
            assert module in texts, module
        for command in ("Help: the keys of this screen", "Log out", "Quit"):
            assert command in texts, command
        assert "Refresh" in texts and "Forgotten clients" in texts  # the start page's keys
        text = screen_text(app)
        assert "f2 · open the module" in text and "f3 · open the module" in text
        assert "Find a client, a contact, a deal, or a command…" in text
        assert "Focus Next" not in texts and "Copy selected text" not in texts

        # a module by (part of) its name
        await pilot.press(*"calen")
        await settle(pilot, app)
        await choose(pilot, app, "Calendar")
        assert type(app.screen).__name__ == "CalendarScreen"

        # F2, then a key of the client list from the palette: forgotten clients
        await pilot.press("f2")
        await settle(pilot, app)
        await open_palette(pilot, app, "forgot")
        await choose(pilot, app, "Forgotten")
        assert type(app.screen).__name__ == "ClientsScreen"
        assert "no contact for 30+ days" in screen_text(app)

        # help from the palette shows the keys of the screen it was opened over
        await open_palette(pilot, app, "help")
        await choose(pilot, app, "Help: the keys of this screen")
        assert type(app.screen).__name__ == "HelpScreen"
        text = screen_text(app)
        assert "Keys of this screen" in text and "Forgotten" in text
        await pilot.press("escape")
        await settle(pilot, app)

        # log out from the palette
        await open_palette(pilot, app, "log out")
        await choose(pilot, app, "Log out")
        assert app.ctx is None and type(app.screen).__name__ == "LoginScreen"


async def test_a_module_the_rights_do_not_open_is_not_offered(demo_db):
    admin = Context.system(demo_db)
    users.revoke(admin, "petrova", "calendar")
    try:
        app = make_app(demo_db)
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot, app, "petrova")
            await open_palette(pilot, app)
            texts = shown_texts(app)
            assert "Clients" in texts and "Calendar" not in texts
            await pilot.press(*"calendar")
            await settle(pilot, app)
            assert "Calendar" not in shown_texts(app)
    finally:
        users.grant(admin, "petrova", "calendar")


async def test_nothing_before_login(demo_db):
    company = list_clients(context_for(demo_db, "ivanov"), limit=1).rows[0]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await open_palette(pilot, app)
        assert shown_texts(app) == []
        await pilot.press(*fold(company.name).split()[-1][:5])
        await settle(pilot, app)
        assert shown_texts(app) == []
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "LoginScreen" and app.ctx is None


async def test_the_palette_answers_keys_while_the_database_searches(demo_db, monkeypatch):
    release = threading.Event()
    calls: list[str] = []

    def slow_find(ctx: Context, text: str, limit: int) -> list[Any]:
        calls.append(text)
        release.wait(10)  # a slow database
        return find_anything(ctx, text, limit)

    monkeypatch.setattr(palette, "find_anything", slow_find)
    ivanov = context_for(demo_db, "ivanov")
    company, query = unique_company_query(ivanov, context_for(demo_db, "head"))
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*query[:3])
        for _ in range(50):  # the searches run in threads; the keys go on arriving
            await pilot.pause()
            if calls:
                break
        palette_input = app.screen.query_one("CommandInput")
        assert calls and not release.is_set()
        await pilot.press(*query[3:])
        await pilot.pause()
        assert palette_input.value == query  # typed while the first searches still wait
        assert app.screen.query_one("CommandInput") is palette_input
        release.set()
        await settle(pilot, app)
        assert shown_texts(app) == [h.title for h in expected_hits(ivanov, query)]
        assert shown_texts(app)[0] == company.name


async def test_the_palette_speaks_russian(demo_db):
    i18n.set_language("ru")
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "ivanov")
        assert "Команды" in screen_text(app)  # ctrl+p in the footer
        await open_palette(pilot, app)
        text = screen_text(app)
        assert "Найти клиента, контакт, работу или команду…" in text
        for label in ("Клиенты", "Календарь", "Работы", "Сегодня", "Выйти из системы"):
            assert label in shown_texts(app), label
        assert "открыть модуль" in text
        for english in ("Clients", "Calendar", "Log out", "Quit", "Search for commands"):
            assert english not in text, english
        await pilot.press(*"zzqxw")
        await settle(pilot, app)
        await pilot.pause(0.7)  # the palette waits before it says that nothing matched
        assert "Ничего не найдено" in screen_text(app)
        assert "No matches found" not in screen_text(app)


async def test_a_database_error_is_said_in_the_list_and_the_app_goes_on(demo_db, monkeypatch):
    def broken(ctx: Context, text: str, limit: int) -> list[Any]:
        raise DatabaseUnavailable("connection reset")

    monkeypatch.setattr(palette, "find_anything", broken)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await open_palette(pilot, app, "abcde")
        message = "The database is unavailable: connection reset"
        assert shown_texts(app) == [message]
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ErrorDialog"
        assert message in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen" and app.is_running


# --- the interface language ----------------------------------------------------------------


def _stored_language(db: Any, login: str) -> str | None:
    with db.reader() as s:
        return s.scalar(select(AppUser.lang).where(AppUser.login == login))


def _store_language(db: Any, login: str, lang: str | None) -> None:
    with db.transaction() as s:
        s.execute(update(AppUser).where(AppUser.login == login).values(lang=lang))


async def test_the_language_is_switched_from_the_palette_and_kept_for_the_next_login(demo_db):
    """«Русский» in the palette: the screens speak Russian at once (the list stays the
    one on show) and the choice is the user's at the next login; «English» back.
    ``--lang`` / ``QSTUI_LANG`` (``lang_fixed``) still decide over it."""
    from qstui.app import QstuiApp

    try:
        app = make_app(demo_db)
        async with app.run_test(size=LARGE) as pilot:
            await log_in(pilot, app, "ivanov")
            await pilot.press("f2")
            await settle(pilot, app)
            assert "Last contact" in screen_text(app)
            await open_palette(pilot, app)
            await choose(pilot, app, "Interface language: Russian")
            await settle(pilot, app)
            assert i18n.language() == "ru"
            assert type(app.screen).__name__ == "ClientsScreen"
            text = screen_text(app)
            assert "Посл. контакт" in text and "Last contact" not in text
            assert _stored_language(demo_db, "ivanov") == "ru"
            await pilot.press("ctrl+o")
            await settle(pilot, app)
            assert "Пароль" in screen_text(app)  # the login screen too

        i18n.set_language("en")  # a new start in English: the user's choice wins
        app = make_app(demo_db)
        async with app.run_test(size=LARGE) as pilot:
            await log_in(pilot, app, "ivanov")
            assert i18n.language() == "ru"
            assert "Сегодня" in screen_text(app)
            await open_palette(pilot, app, "English")  # found by its own name
            await choose(pilot, app, "Язык интерфейса: английский")
            await settle(pilot, app)
            assert i18n.language() == "en" and "Today" in screen_text(app)
            assert _stored_language(demo_db, "ivanov") == "en"

        _store_language(demo_db, "ivanov", "ru")
        fixed = QstuiApp(demo_db, lang_fixed=True)  # started with --lang en
        async with fixed.run_test(size=LARGE) as pilot:
            await log_in(pilot, fixed, "ivanov")
            assert i18n.language() == "en" and "Today" in screen_text(fixed)
    finally:
        i18n.set_language("en")
        _store_language(demo_db, "ivanov", None)
