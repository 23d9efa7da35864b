"""The interface speaks one language: the main screens (login, today, the client list,
every tab of a client card, every tab of a deal card, the deal list, the calendar's day)
at 200×60, in English and in Russian, on the demo database of both backends.

- English: no Cyrillic on the screen but the data (names of companies, people, users,
  stages, interaction types, products… as the services return them).
- Russian: no English interface word (only data, key names and the database URL), the
  known English labels nowhere, dates as ДД.ММ.ГГГГ and money as «1 234 567,89 ₽»."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle

from qstui import i18n
from qstui.domain import clock
from qstui.domain.deals import DealFilter
from qstui.domain.enums import DealStatus
from qstui.screens.client_card import TABS as CARD_TABS
from qstui.screens.deal_card import TABS as DEAL_TABS
from qstui.services import deals, today
from qstui.services.access import users
from qstui.services.access.demo_info import demo_accounts
from qstui.services.calendar import event_types
from qstui.services.calendar import lists as calendar
from qstui.services.clients import card as client_card
from qstui.services.clients import companies as clients
from qstui.services.context import Context, context_for
from qstui.services.refbooks import currency, pipelines

CYRILLIC = re.compile(r"[А-Яа-яЁё]+")
LATIN = re.compile(r"[A-Za-z]+")
# What the footer and the hints show of keys, in any language.
KEY_NAMES = {
    "ctrl", "alt", "shift", "esc", "escape", "enter", "tab", "ins", "insert", "del",
    "delete", "home", "end", "pgup", "pgdn", "up", "down", "left", "right", "space",
}  # fmt: skip
# The English labels of these screens: none may be seen in the Russian interface.
ENGLISH_LABELS = (
    "Clients", "Calendar", "Deals", "Today", "Save", "Help", "Quit", "Modules", "Log in",
    "Login", "Password", "Company", "City", "Phone", "Manager", "Last contact", "Debt",
    "Filter", "Forgotten", "Find", "Status", "Amount", "Stage", "Subject", "Type", "Time",
    "Client", "History", "Contact persons", "Products", "Requisites", "Claims", "Main",
    "Stages", "Payments", "Refresh", "Close", "Title", "Started", "Commands", "Overdue",
)  # fmt: skip
DAY = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
RU_MONEY = re.compile(r"\d{1,3}(?:\u00a0\d{3})*,\d{2}\u00a0₽")


# --- what comes from the database ------------------------------------------------------------


def strings_in(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside a service result (dataclasses, pages, lists, dicts)."""
    if depth > 8 or value is None:
        return
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings_in(getattr(value, f.name), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key, depth + 1)
            yield from strings_in(item, depth + 1)
    elif isinstance(value, Iterable) and not isinstance(value, bytes):
        for item in value:
            yield from strings_in(item, depth + 1)


class Vocabulary:
    """The words of the data, and every piece of them (a cell cut at its edge, a word
    wrapped onto the next line)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words = {word for text in texts for word in re.findall(r"[^\W\d_]+", text)}
        self.joined = "\n".join(sorted(self.words))
        self._known: dict[str, bool] = {}

    def __contains__(self, token: str) -> bool:
        if token not in self._known:
            self._known[token] = token in self.words or token in self.joined
        return self._known[token]


def data_of(db: Any, ctx: Context, company_id: int, deal_id: int) -> Vocabulary:
    """What the services return for the screens of this test (in the current language:
    reference books the services translate come out translated)."""
    system = Context.system(db)
    results: list[Any] = [
        ctx.full_name,
        ctx.login,
        today.today_page(ctx),
        clients.list_clients(ctx, limit=1000).rows,
        clients.reference_lists(ctx),
        client_card.get_card(ctx, company_id),
        client_card.card_choices(ctx),
        calendar.company_history(ctx, company_id, limit=200).rows,
        calendar.company_plans(ctx, company_id),
        deals.get_deal(ctx, deal_id),
        deals.list_deals(ctx, limit=1000).rows,
        deals.manager_choices(ctx),
        deals.source_choices(ctx),
        deals.contact_choices(ctx, deal_id),
        calendar.day(ctx, clock.today()),
        users.list_users(system),
        event_types.list_event_types(ctx),
        pipelines.list_pipelines(ctx),
        pipelines.list_refusal_reasons(ctx),
        currency.list_currencies(ctx),
        demo_accounts(db),
    ]
    return Vocabulary(strings_in(results))


# --- the screens --------------------------------------------------------------------------------


async def screens(pilot: Any, app: Any, company_id: int, deal_id: int) -> list[tuple[str, str]]:
    """Show each screen in turn: (name, the text on the screen) of each."""
    shots: list[tuple[str, str]] = []
    await settle(pilot, app)
    shots.append(("login", screen_text(app)))
    await log_in(pilot, app, "ivanov")
    shots.append(("today", screen_text(app)))
    await pilot.press("ctrl+p")
    await settle(pilot, app)
    shots.append(("command palette", screen_text(app)))
    await pilot.press("escape", "f2")
    await settle(pilot, app)
    shots.append(("clients", screen_text(app)))
    await pilot.press("f1")
    await settle(pilot, app)
    shots.append(("help of the client list", screen_text(app)))
    await pilot.press("escape")
    await settle(pilot, app)
    app.open_client(company_id)
    await settle(pilot, app)
    for i, (name, _cls) in enumerate(CARD_TABS):
        await pilot.press(f"alt+{(i + 1) % 10}")
        await settle(pilot, app)
        shots.append((f"client card: {name}", screen_text(app)))
    await pilot.press("escape")
    await settle(pilot, app)
    app.open_deal(deal_id)
    await settle(pilot, app)
    for i, name in enumerate(DEAL_TABS):
        await pilot.press(str(i + 1))
        await settle(pilot, app)
        shots.append((f"deal card: {name}", screen_text(app)))
    await pilot.press("escape")
    await settle(pilot, app)
    await pilot.press("f4")
    await settle(pilot, app)
    shots.append(("deals", screen_text(app)))
    await pilot.press("f3")
    await settle(pilot, app)
    shots.append(("calendar day", screen_text(app)))
    return shots


def subject(db: Any) -> tuple[Context, int, int]:
    """ivanov, one of his clients with an open deal, and that deal."""
    ctx = context_for(db, "ivanov")
    row = deals.list_deals(
        ctx, DealFilter(manager_id=ctx.user_id, status=DealStatus.OPEN), limit=1
    ).rows[0]
    return ctx, row.company_id, row.id


@pytest.mark.one_backend  # what is drawn does not depend on the database
@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_one_language_on_every_main_screen(demo_db, lang):
    i18n.set_language(lang)
    ctx, company_id, deal_id = subject(demo_db)
    data = data_of(demo_db, ctx, company_id, deal_id)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        shots = await screens(pilot, app, company_id, deal_id)
    assert len(shots) == 7 + len(CARD_TABS) + len(DEAL_TABS)
    problems: dict[str, list[str]] = {}
    for name, shot in shots:
        # The database URL is no language: the header shows it cut short (that line is
        # left out), the login screen in full, wrapped anywhere (its pieces are left out).
        text = shot.split("\n", 1)[1]
        if lang == "en":
            foreign = [t for t in CYRILLIC.findall(text) if t not in data]
        else:
            foreign = [
                t
                for t in LATIN.findall(text)
                if len(t) > 1
                and t.lower() not in KEY_NAMES
                and t != "qstui"
                and t not in demo_db.display_url
                and t not in data
            ]
            foreign += [label for label in ENGLISH_LABELS if re.search(rf"\b{label}\b", text)]
        if foreign:
            problems[name] = sorted(set(foreign))
    assert problems == {}

    if lang == "ru":
        texts = dict(shots)
        today_text = texts["today"]
        assert f"Сегодня, {clock.today():%d.%m.%Y}" in today_text
        assert all(DAY.search(texts[n]) for n in ("today", "clients", "deal card: main"))
        assert RU_MONEY.search(texts["today"]) and RU_MONEY.search(texts["deal card: products"])
        assert "." not in RU_MONEY.search(texts["deal card: products"]).group()
