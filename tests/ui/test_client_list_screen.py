"""The client list (C1, C3, C8), driven as a manager does: the list shows only the
user's clients, the quick and the extended filter (with saved filters), sorting, quick
registration with the duplicate check, deletion with rights, forgotten clients; at
80×24 and 200×60. Both backends (the ``demo_db`` fixture)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from typing import Any

import pytest
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle

from qstui.domain.clients import ClientFilter, ClientSort, SortKey
from qstui.domain.errors import NotFound
from qstui.domain.normalize import fold
from qstui.services.clients.card import get_card
from qstui.services.clients.companies import (
    count_clients,
    idle_filter,
    list_clients,
    reference_lists,
)
from qstui.services.clients.filters import list_filters
from qstui.services.context import Context, context_for

CARD_EXISTS = importlib.util.find_spec("qstui.screens.client_card") is not None


def _table(app: Any) -> Any:
    return app.screen.query_one("#clients-table")


def _ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows]


def _all_rows(ctx: Context, flt: ClientFilter | None = None, sort: ClientSort | None = None):
    return list_clients(ctx, flt, sort, limit=1000).rows


async def _open_clients(pilot: Any, app: Any, login: str) -> None:
    await log_in(pilot, app, login)
    await pilot.press("f2")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "ClientsScreen"


def _record_opened(app: Any) -> list[int]:
    """Until the client card exists: what Enter asked the app to open."""
    opened: list[int] = []
    if not CARD_EXISTS:
        app.open_client = opened.append
    return opened


def _assert_card_opened(app: Any, opened: list[int], company_id: int) -> None:
    if CARD_EXISTS:
        assert type(app.screen).__name__ == "ClientCardScreen"
        assert app.screen.company_id == company_id
    else:
        assert opened == [company_id]


def _name_word(ctx: Context) -> str:
    """A word of several of the user's company names that the quick filter finds only
    in names (so every row shown must contain it)."""
    rows = _all_rows(ctx)
    words = Counter(
        w for r in rows for w in set(fold(r.name).replace("«", " ").replace("»", " ").split())
    )
    for word, n in words.most_common():
        if n < 2 or len(word) < 5 or not word.isalpha():
            continue
        found = _all_rows(ctx, ClientFilter(text=word[:5]))
        if found and all(word[:5] in fold(r.name) for r in found):
            return word[:5]
    raise AssertionError("no usable word in the demo names")


# --- the list, the quick filter, forgotten clients, Enter --------------------------------------


async def test_a_total_beyond_the_cap_is_shown_as_more(demo_db, monkeypatch):
    """The list's total is counted up to a cap (10 000): beyond it, "10 000+"."""
    from qstui.screens import clients as clients_screen
    from qstui.screens import deals as deals_screen

    total = count_clients(context_for(demo_db, "ivanov"))
    monkeypatch.setattr(clients_screen, "COUNT_CAP", total - 1)
    monkeypatch.setattr(deals_screen, "COUNT_CAP", 3)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await _open_clients(pilot, app, "ivanov")
        assert f"{total - 1}+ clients" in screen_text(app)
        await pilot.press("f4")
        await settle(pilot, app)
        assert "Deals: 3+" in screen_text(app)


async def test_my_clients_the_quick_filter_forgotten_clients_and_enter(demo_db):
    ctx = context_for(demo_db, "ivanov")
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await _open_clients(pilot, app, "ivanov")
        table = _table(app)
        first_page = list_clients(ctx, limit=100).rows
        assert _ids(table.loaded_rows) == _ids(first_page)
        assert table.loaded_rows and all(r.manager_id == ctx.user_id for r in table.loaded_rows)
        total = count_clients(ctx)
        assert total < count_clients(context_for(demo_db, "head"))  # not everyone's
        text = screen_text(app)
        assert f"{total} clients" in text
        assert first_page[0].name[:16] in text  # 80 columns: the name cut at 17

        # «/» and part of a name: results while typing, only matching rows of mine
        word = _name_word(ctx)
        await pilot.press("slash")
        assert app.focused.id == "quick"
        await pilot.press(*word)
        await settle(pilot, app)
        expected = _all_rows(ctx, ClientFilter(text=word))
        rows = table.loaded_rows
        assert _ids(rows) == _ids(expected) and 0 < len(rows) < total
        assert all(word in fold(r.name) for r in rows)
        assert all(r.manager_id == ctx.user_id for r in rows)
        text = screen_text(app)
        assert f"find «{word}»" in text
        assert f"{len(rows)} client" in text
        assert rows[0].name[:16] in text

        # Esc clears it and returns to the list
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.focused is table
        assert app.screen.query_one("#quick").value == ""
        assert _ids(table.loaded_rows) == _ids(first_page)
        assert "find «" not in screen_text(app)

        # «i»: who have I forgotten (C8), again: all of them
        flt = idle_filter(ctx)
        assert flt == ClientFilter(manager_id=ctx.user_id, idle_days=30)
        idle = _all_rows(ctx, flt, ClientSort(SortKey.LAST_CONTACT))
        assert 0 < len(idle) < total
        await pilot.press("i")
        await settle(pilot, app)
        assert _ids(table.loaded_rows) == _ids(idle)
        assert "no contact for 30+ days" in screen_text(app)
        await pilot.press("i")
        await settle(pilot, app)
        assert _ids(table.loaded_rows) == _ids(first_page)
        assert "sorted by name ↑" in screen_text(app)

        # Enter opens the card of the highlighted client
        opened = _record_opened(app)
        await pilot.press("down", "down")
        await pilot.press("enter")
        await settle(pilot, app)
        _assert_card_opened(app, opened, first_page[2].id)


def test_reference_lists_are_what_the_user_may_choose(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    refs = reference_lists(ivanov)
    assert refs["managers"] == [(ivanov.user_id, ivanov.full_name)]
    assert len(refs["regions"]) > 50 and refs["industries"] and refs["sources"]
    head = reference_lists(context_for(demo_db, "head"))["managers"]
    assert (ivanov.user_id, ivanov.full_name) in head and len(head) > 1


# --- the extended filter and saved filters ----------------------------------------------------


@pytest.mark.one_backend
async def test_extended_filter_by_city_and_region_is_saved_and_picked_again(demo_db):
    ctx = context_for(demo_db, "ivanov")
    sample = next(r for r in _all_rows(ctx) if r.city)
    region_id = get_card(ctx, sample.id).region_id
    region = dict(reference_lists(ctx)["regions"])[region_id]
    city = sample.city[:4]
    expected = _all_rows(ctx, ClientFilter(city=city, region_id=region_id))
    assert expected
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await _open_clients(pilot, app, "ivanov")
        table = _table(app)
        await pilot.press("f")
        await settle(pilot, app)
        dialog = app.screen
        assert type(dialog).__name__ == "ClientFilterDialog"
        dialog.query_one("#flt-city").focus()
        await pilot.press(*city)
        dialog.query_one("#flt-region_id").focus()
        await pilot.press("enter", *region[:6], "enter")  # open the list, type, choose
        await settle(pilot, app)
        assert dialog.query_one("#flt-region_id").value == region_id
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        assert _ids(table.loaded_rows) == _ids(expected)
        assert all(fold(r.city or "").startswith(fold(city)) for r in table.loaded_rows)
        text = screen_text(app)
        assert f"city: «{city}»" in text and f"region: {region}"[:30] in text

        # save it under a name
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#save-name").focus()
        await pilot.press(*"my city", "enter")
        await settle(pilot, app)
        assert [f.name for f in list_filters(ctx)] == ["my city"]
        assert list_filters(ctx)[0].filter == ClientFilter(city=city, region_id=region_id)
        assert "my city" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)

        # clear everything, then pick the saved filter again
        await pilot.press("x")
        await settle(pilot, app)
        assert len(table.loaded_rows) == count_clients(ctx) > len(expected)
        assert "Filter:" not in screen_text(app)
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#saved").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        assert _ids(table.loaded_rows) == _ids(expected)

        # a value for no custom field is explained, the dialog stays
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#flt-custom_value").focus()
        await pilot.press(*"abc", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientFilterDialog"
        assert "Choose the field" in screen_text(app)

        # delete the saved filter (Delete in the list, confirmed)
        app.screen.query_one("#saved").focus()
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(pilot, app)
        assert list_filters(ctx) == []
        assert "my city" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert _ids(table.loaded_rows) == _ids(expected)  # cancelled: the filter stays


# --- sorting, and deleting without the right ------------------------------------------------------


async def test_sorting_and_a_manager_who_may_not_delete(demo_db):
    ctx = context_for(demo_db, "ivanov")
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await _open_clients(pilot, app, "ivanov")
        table = _table(app)
        await pilot.press("s")  # name → INN
        await pilot.press("S")  # descending
        await settle(pilot, app)
        expected = list_clients(ctx, sort=ClientSort(SortKey.INN, True), limit=10).rows
        rows = table.loaded_rows
        assert _ids(rows[:10]) == _ids(expected)
        inns = [r.inn for r in rows if r.inn]
        assert inns[0] == max(inns)
        assert "sorted by INN ↓" in screen_text(app)

        # a click on the «City» header sorts by city, another one reverses it
        offset = sum(c.get_render_width(table) for c in list(table.columns.values())[:2]) + 2
        await pilot.click("#clients-table", offset=(offset, 0))
        await settle(pilot, app)
        assert "sorted by city ↑" in screen_text(app)
        expected = list_clients(ctx, sort=ClientSort(SortKey.CITY), limit=10).rows
        assert _ids(table.loaded_rows[:10]) == _ids(expected)
        await pilot.click("#clients-table", offset=(offset, 0))
        await settle(pilot, app)
        assert "sorted by city ↓" in screen_text(app)

        # no «delete» right: the key is hidden and does nothing…
        row = table.current
        assert "Delete…" not in screen_text(app)
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        # …and were it offered (rights changed meanwhile), the service still refuses
        app.screen.action_delete_client()
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ErrorDialog"
        assert "delete" in screen_text(app).lower()
        assert get_card(ctx, row.id).id == row.id  # still there
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"


# --- quick registration with the duplicate check (C3) --------------------------------------------


def _plain_named(ctx: Context) -> tuple[Any, str]:
    """One of the user's companies, and its name typed plainly (no quotes): the
    duplicate check compares normalized names, so it must still find it."""
    for row in _all_rows(ctx):
        plain = row.name.replace("«", "").replace("»", "")
        if plain != row.name and all(ch.isalpha() or ch == " " for ch in plain):
            return row, plain
    raise AssertionError("no plain company name in the demo")


async def test_new_client_duplicates_and_a_wrong_inn(demo_db):
    ctx = context_for(demo_db, "ivanov")
    existing, typed = _plain_named(ctx)
    before = count_clients(ctx)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await _open_clients(pilot, app, "ivanov")
        opened = _record_opened(app)

        # a wrong INN: the message at the INN field, nothing created
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "NewClientDialog"
        await pilot.press(*"Тестовая Новинка", "tab", *"1234567890")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert type(dialog).__name__ == "NewClientDialog"
        assert dialog.query_one("#field-inn").has_class("invalid")
        assert "INN checksum does not match" in screen_text(app)
        assert not dialog.query_one("#field-name").has_class("invalid")
        assert app.focused.id == "input-inn"
        assert count_clients(ctx) == before
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        assert count_clients(ctx) == before

        # the name of an existing company: the duplicates are shown before saving
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        await pilot.press(*typed)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DuplicatesDialog"
        text = screen_text(app)
        assert "Possible duplicates" in text and "same name" in text
        assert existing.name in text and "Иванов Иван Петрович" in text
        assert count_clients(ctx) == before

        await pilot.press("escape")  # back to editing: what was typed is still there
        await settle(pilot, app)
        assert type(app.screen).__name__ == "NewClientDialog"
        assert app.screen.query_one("#input-name").value == typed
        assert count_clients(ctx) == before

        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DuplicatesDialog"
        await pilot.press("y")  # save anyway
        await settle(pilot, app)
        assert count_clients(ctx) == before + 1
        created = [r for r in _all_rows(ctx, ClientFilter(name=typed)) if r.name == typed]
        assert len(created) == 1 and created[0].manager_id == ctx.user_id
        _assert_card_opened(app, opened, created[0].id)
        if not CARD_EXISTS:
            assert created[0].id in _ids(_table(app).loaded_rows)  # the list reloaded


# --- the head: deleting, and every size -----------------------------------------------------------


async def _check_labels(pilot: Any, app: Any, size: tuple[int, int]) -> None:
    text = screen_text(app)
    for label in ("/ Find:", "Company", "INN", "sorted by name ↑", "clients"):
        assert label in text, label
    for key in ("f Filter", "i Forgotten", "^n New", "del Delete…", "^q Quit", "f1 Help"):
        assert key in text, key
    if size == LARGE:
        for label in ("City", "Phone", "Manager", "Last contact", "Debt"):
            assert label in text, label

    await pilot.press("f")
    await settle(pilot, app)
    text = screen_text(app)
    for label in (
        "Client filter", "Company", "Contact person", "Days w/o contact", "Extra field",
        "Field value", "Saved filters", "Save the fields as", "Apply", "Cancel",
        "Esc — cancel",
    ):  # fmt: skip
        assert label in text, label
    await pilot.press("escape")
    await settle(pilot, app)

    await pilot.press("ctrl+n")
    await settle(pilot, app)
    text = screen_text(app)
    for label in ("New client", "Company name", "KPP", "E-mail", "City", "Manager"):
        assert label in text, label
    for label in ("Save", "Cancel", "ctrl+s — save"):
        assert label in text, label
    await pilot.press("escape")
    await settle(pilot, app)

    await pilot.press("f1")
    await settle(pilot, app)
    text = screen_text(app)
    assert "Keys of this screen" in text
    if size == LARGE:
        for label in ("Reverse the sort", "Clear all filters", "Open the client card"):
            assert label in text, label
    await pilot.press("escape")
    await settle(pilot, app)


async def test_the_head_deletes_a_client_and_everything_fits_200x60(demo_db):
    head = context_for(demo_db, "head")
    before = count_clients(head)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await _open_clients(pilot, app, "head")
        await _check_labels(pilot, app, LARGE)
        await pilot.press("down")
        row = _table(app).current
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert row.name in screen_text(app)
        await pilot.press("n")  # changed my mind
        await settle(pilot, app)
        assert count_clients(head) == before
        await pilot.press("delete")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        assert count_clients(head) == before - 1
        with pytest.raises(NotFound):
            get_card(head, row.id)
        assert row.id not in _ids(_table(app).loaded_rows)
        assert f"{before - 1} clients" in screen_text(app)


@pytest.mark.one_backend  # what is drawn does not depend on the database
async def test_everything_fits_80x24(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await _open_clients(pilot, app, "head")
        await _check_labels(pilot, app, SMALL)


# --- mass activities (C5) ----------------------------------------------------------------------


async def test_a_mass_activity_for_the_filtered_clients_and_its_effect(demo_db, monkeypatch):
    """«m» on the filtered list: one plan per client shown, for each client's manager, in
    one go with a progress bar; the effect of the group's activities follows («e» too)."""
    from sqlalchemy import select

    from qstui.db.models import Event, MassActivity
    from qstui.screens.dialogs.mass_activity import ActivityEffectsDialog, MassActivityDialog
    from qstui.services.clients import mass_activities

    monkeypatch.setattr(mass_activities, "CHUNK", 2)  # a "large" activity: the bar shows
    bars: list[tuple[float | None, float]] = []
    shown = MassActivityDialog.on_mass_activity_dialog_progress

    def watched(dialog: Any, message: Any) -> None:
        shown(dialog, message)
        bar = dialog.query_one("#mass-progress")
        if bar.display:
            bars.append((bar.total, bar.progress))

    monkeypatch.setattr(MassActivityDialog, "on_mass_activity_dialog_progress", watched)
    ctx = context_for(demo_db, "head")
    word = _name_word(ctx)
    expected = {r.id: r.manager_id for r in _all_rows(ctx, ClientFilter(text=word))}
    assert len(expected) > 2
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await _open_clients(pilot, app, "head")
        await pilot.press("slash", *word)
        await settle(pilot, app)
        await pilot.press("down", "m")
        await settle(pilot, app)
        assert isinstance(app.screen, MassActivityDialog)
        await pilot.press(*"Приглашение на семинар")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ActivityEffectsDialog), screen_text(app)
        text = screen_text(app)
        assert "Приглашение на семинар" in text
        assert bars and bars[-1] == (len(expected), len(expected))
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, ActivityEffectsDialog)
    with demo_db.reader() as s:
        activity = s.scalar(
            select(MassActivity.id).where(MassActivity.title == "Приглашение на семинар")
        )
        planned = dict(
            s.execute(
                select(Event.company_id, Event.responsible_id).where(Event.activity_id == activity)
            ).all()
        )
    assert planned == expected
    effect = mass_activities.activity_effect(ctx, activity)
    assert (effect.companies, effect.events_planned, effect.reached) == (
        len(expected),
        len(expected),
        0,
    )
