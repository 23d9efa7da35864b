"""The client card, driven as a manager would: contacts, a call in a few keys, plans and
the next plan, requisites edited in place, a conflict with another user's save, claims,
and every tab at 80×24 and 200×60 — checked on the screen and in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle, to_tab

from qstui.db.engine import Database, make_engine
from qstui.domain import clock
from qstui.domain.calendar import next_working_day, to_local
from qstui.domain.clients import ContactInput
from qstui.domain.enums import ClaimStatus, EventStatus
from qstui.screens.client_card import TABS, ClientCardScreen
from qstui.screens.client_tabs.base import CardField
from qstui.screens.dialogs.conflict import ConflictDialog
from qstui.screens.dialogs.interaction import InteractionDialog
from qstui.screens.dialogs.message import ErrorDialog
from qstui.services.access import users
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import claims, contacts
from qstui.services.clients import companies as clients
from qstui.services.context import Context, context_for
from qstui.widgets.form import FormDialog

HEAD_NAME = "Кузнецова Ольга Викторовна"


def ivanov_clients(db: object) -> list[int]:
    ctx = context_for(db, "ivanov")  # type: ignore[arg-type]
    return [row.id for row in clients.list_clients(ctx, limit=40).rows]


def client_without_plans(db: object, skip: int = 0) -> int:
    ctx = context_for(db, "ivanov")  # type: ignore[arg-type]
    free = [cid for cid in ivanov_clients(db) if not calendar_lists.company_plans(ctx, cid)]
    return free[skip]


async def open_card(pilot, app, company_id: int, login: str = "ivanov") -> ClientCardScreen:
    await log_in(pilot, app, login)
    app.open_client(company_id)
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, ClientCardScreen)
    assert screen.company_id == company_id and screen.card is not None
    return screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def replace_field(pilot, app, name: str, text: str) -> None:
    """Focus a field of the in-place form, clear it and type ``text``."""
    app.screen.query_one(f"#input-{name}").focus()
    await pilot.press("home", "ctrl+k")
    await type_text(pilot, text)


def field_error(screen, name: str) -> str:
    field = screen.query_one(f"#field-{name}", CardField)
    return str(field.query_one(".field-error").render())


async def test_contact_call_plan_complete_and_the_next_plan(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = client_without_plans(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, company_id)

        # a contact person with position, phone and e-mail (Ins on «Contact persons»)
        await to_tab(pilot, app, "2")
        await pilot.press("insert")
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "Смирнова")
        await pilot.press("enter")
        await type_text(pilot, "Ольга")
        await pilot.press("enter", "enter")  # no middle name
        await type_text(pilot, "Главбух")
        await pilot.press("enter")
        await type_text(pilot, "+7 495 111-22-33")
        await pilot.press("enter")
        await type_text(pilot, "olga@example.ru")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        text = screen_text(app)
        assert "Смирнова Ольга" in text and "Главбух" in text and "olga@example.ru" in text
        person = next(
            c for c in contacts.list_contacts(ctx, company_id) if c.last_name == "Смирнова"
        )
        assert person.job_title == "Главбух"
        assert [p.number for p in person.phones] == ["+7 495 111-22-33"]
        assert [e.address for e in person.emails] == ["olga@example.ru"]

        # a call: ctrl+e, the subject, Enter (two keys besides the text)
        before = clock.utcnow() - timedelta(seconds=5)
        await pilot.press("ctrl+e")
        await type_text(pilot, "Обсудили поставку")
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        await to_tab(pilot, app, "1")
        assert "Обсудили поставку" in screen_text(app)
        done = calendar_lists.company_history(ctx, company_id, limit=5).rows[0]
        assert done.subject == "Обсудили поставку" and done.type_code == "call"
        assert done.status == EventStatus.DONE
        card = clients.get_card(ctx, company_id)
        assert card.last_contact_at is not None and card.last_contact_at >= before

        # a meeting planned: ctrl+t, ↓ (call → meeting), the subject, Enter
        await pilot.press("ctrl+t")
        await pilot.press("down")
        await type_text(pilot, "Встреча у клиента")
        await pilot.press("enter")
        await settle(pilot, app)
        plans = calendar_lists.company_plans(ctx, company_id)
        assert [(p.subject, p.type_code) for p in plans] == [("Встреча у клиента", "meeting")]
        tomorrow = clock.today() + timedelta(days=1)
        assert plans[0].local_at == datetime.combine(tomorrow, datetime.min.time()).replace(hour=10)
        assert "Встреча у клиента" in screen_text(app)

        # Enter on the plan completes it; the next plan is offered, Enter accepts it
        app.screen.query_one("#plans").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        await type_text(pilot, "Договорились")
        await pilot.press("enter")
        await settle(pilot, app)
        offer = app.screen
        assert isinstance(offer, InteractionDialog)
        assert offer.query_one("#subject").value == "Встреча у клиента"
        assert "Plan the next one" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)

    events = [
        e
        for e in calendar_lists.company_history(ctx, company_id, limit=10).rows
        if e.subject == "Встреча у клиента"
    ] + [
        e for e in calendar_lists.company_plans(ctx, company_id) if e.subject == "Встреча у клиента"
    ]
    assert sorted(e.status for e in events) == [EventStatus.DONE, EventStatus.PLANNED]
    completed = next(e for e in events if e.status == EventStatus.DONE)
    assert completed.result_text == "Договорились"
    following = next(e for e in events if e.status == EventStatus.PLANNED)
    assert following.type_code == "meeting"
    assert following.local_at.date() == next_working_day(to_local(completed.done_at).date())


async def test_requisites_are_saved_in_place_and_a_wrong_inn_is_shown_at_its_field(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[1]
    before = clients.get_card(ctx, company_id)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "8")
        await replace_field(pilot, app, "city", "Кострома")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        saved = clients.get_card(ctx, company_id)
        assert saved.city == "Кострома" and saved.version > before.version
        assert screen.requisites.dirty() == {}
        assert screen.requisites.version == saved.version

        # a wrong INN and another change: nothing is saved, the message is at the INN
        await replace_field(pilot, app, "inn", "7701234567")
        await replace_field(pilot, app, "city", "Вологда")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert field_error(screen, "inn") == "INN checksum does not match: check the digits"
        assert field_error(screen, "city") == ""
        assert app.focused is screen.query_one("#input-inn")
        assert "INN checksum does not match" in screen_text(app)
        after = clients.get_card(ctx, company_id)
        assert (after.inn, after.city, after.version) == (saved.inn, "Кострома", saved.version)
        # what was typed is still in the fields, and Esc asks before it is thrown away
        assert screen.requisites.dirty() == {"inn": "7701234567", "city": "Вологда"}
        await pilot.press("escape")
        await settle(pilot, app)
        assert "discard what you typed" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.query_one("#input-city").value == "Вологда"


def unreachable(db: Database) -> sessionmaker:
    """Sessions of a database that cannot be reached: a missing directory for SQLite,
    a closed port for the Firebird server (what a dropped connection gives)."""
    if db.backend == "sqlite":
        url = "sqlite:////nonexistent-qstui-dir/gone.sqlite3"
    else:
        url = db.url.set(port=1)
    return sessionmaker(make_engine(url))


async def test_a_lost_database_is_explained_and_what_was_typed_is_kept(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[6]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "8")
        await replace_field(pilot, app, "city", "Кострома")
        working = demo_db.sessions
        demo_db.sessions = unreachable(demo_db)  # the connection drops
        try:
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, ErrorDialog)
            assert "The database is unavailable" in screen_text(app)
            await pilot.press("enter")
            await settle(pilot, app)
        finally:
            demo_db.sessions = working  # and comes back
        assert app.screen is screen  # the app goes on, the typed city is still there
        assert screen.query_one("#input-city").value == "Кострома"
        assert clients.get_card(ctx, company_id).city != "Кострома"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert clients.get_card(ctx, company_id).city == "Кострома"


async def test_a_conflict_names_who_saved_and_keeps_what_was_typed(demo_db):
    ctx = context_for(demo_db, "ivanov")
    head = context_for(demo_db, "head")
    company_id = ivanov_clients(demo_db)[2]
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "8")
        # meanwhile the head of the department saves the same company
        version = clients.get_card(head, company_id).version
        clients.update_company(head, company_id, version, website="https://head.example.ru")

        await replace_field(pilot, app, "city", "Углич")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        text = screen_text(app)
        assert HEAD_NAME in text
        assert "Углич" in dialog.query_one("#conflict-typed").text  # listed for copying
        assert clients.get_card(ctx, company_id).city != "Углич"

        await pilot.press("enter")  # «Reload» has the focus
        await settle(pilot, app)
        assert app.screen is screen
        saved = clients.get_card(ctx, company_id)
        assert saved.website == "https://head.example.ru" and saved.city != "Углич"
        assert screen.query_one("#input-city").value == "Углич"  # still there
        assert screen.query_one("#input-website").value == "https://head.example.ru"
        assert "Углич" in screen_text(app)

        # saving again applies the typed value over the reloaded card
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        final = clients.get_card(ctx, company_id)
        assert (final.city, final.website) == ("Углич", "https://head.example.ru")


@pytest.mark.one_backend  # what is drawn does not depend on the database
@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
async def test_every_tab_renders(demo_db, size):
    company_id = ivanov_clients(demo_db)[4]
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await open_card(pilot, app, company_id)
        for i, (name, cls) in enumerate(TABS):
            await pilot.press(f"alt+{(i + 1) % 10}")
            await settle(pilot, app)
            assert app.screen.query_one("#card-tabs").active == f"tab-{name}"
            text = screen_text(app)
            title = cls.TITLE if size == LARGE else cls.SHORT
            assert f"{(i + 1) % 10} {title}" in text, name
        if size == LARGE:  # all ten titles fit at once
            text = screen_text(app)
            assert all(cls.TITLE in text for _n, cls in TABS)
        await pilot.press("right_square_bracket")  # from the last tab round to the first
        await settle(pilot, app)
        assert app.screen.query_one("#card-tabs").active == "tab-history"
        await pilot.press("ctrl+pageup")  # a table has the focus: still the tabs move
        await settle(pilot, app)
        assert app.screen.query_one("#card-tabs").active == "tab-claims"
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, ClientCardScreen)


async def test_a_claim_is_registered_and_moved_to_investigating(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[3]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "0")
        await pilot.press("insert")
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "Brak v postavke")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        found = [c for c in claims.list_claims(ctx, company_id) if c.subject == "Brak v postavke"]
        assert [c.status for c in found] == [ClaimStatus.NEW]
        assert "Brak v postavke" in screen_text(app)

        app.screen.query_one("#claims").focus()
        await pilot.press("enter")  # the newest claim is the first row
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")  # «investigating» is offered first
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        assert "investigating" in screen_text(app)
    claim = claims.get_claim(ctx, found[0].id)
    assert claim.status == ClaimStatus.INVESTIGATING


async def test_without_the_edit_right_nothing_can_be_changed(demo_db):
    users.revoke(Context.system(demo_db), "petrova", "edit")
    ctx = context_for(demo_db, "petrova")
    company_id = clients.list_clients(ctx, limit=1).rows[0].id
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id, login="petrova")
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        assert app.screen is screen  # no dialog
        assert "Log an interaction" not in screen_text(app)
        await pilot.press("ctrl+g")  # a manager may not give clients away
        await settle(pilot, app)
        assert app.screen is screen
        await to_tab(pilot, app, "8")
        assert screen.query_one("#input-city").disabled
        await pilot.press("alt+2", "insert")
        await settle(pilot, app)
        assert app.screen is screen


async def test_custom_fields_are_checked_and_saved(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[5]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "9")
        await replace_field(pilot, app, "employees", "много")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert field_error(screen, "employees") == "Enter a number"
        assert "Enter a number" in screen_text(app)
        await replace_field(pilot, app, "employees", "120")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert field_error(screen, "employees") == ""
    values = {f.code: f.value for f in clients.get_card(ctx, company_id).custom_fields}
    assert values["employees"] == 120


async def test_a_new_deal_from_the_card_opens_the_deal_card(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[6]
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "3")
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Поставка ноутбуков")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        deal = next(
            d for d in clients.get_card(ctx, company_id).deals if d.title == "Поставка ноутбуков"
        )
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.deal_id == deal.id
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        assert "Поставка ноутбуков" in screen_text(app)


async def test_the_head_gives_a_client_to_another_manager(demo_db):
    head = context_for(demo_db, "head")
    company_id = ivanov_clients(demo_db)[7]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id, login="head")
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert "Петрова Анна Сергеевна" in screen_text(app)
        await pilot.press("down", "enter")  # Кузнецова, Петрова: the second
        await settle(pilot, app)
        assert app.screen is screen
        assert "manager: Петрова Анна Сергеевна" in screen_text(app)
    assert clients.get_card(head, company_id).manager == "Петрова Анна Сергеевна"


async def test_a_client_the_user_does_not_see_is_not_opened(demo_db):
    mine = set(ivanov_clients(demo_db))
    sidorov = context_for(demo_db, "sidorov")
    other = next(r.id for r in clients.list_clients(sidorov, limit=20).rows if r.id not in mine)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_client(other)
        await settle(pilot, app)
        assert "not found" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"


async def test_a_contact_person_is_edited_and_deleted(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[8]
    person_id = contacts.add_contact(
        ctx,
        company_id,
        ContactInput(last_name="Аааев", job_title="Кладовщик"),
        phones=["+7 495 000-00-01"],
    )
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, "2")
        table = screen.query_one("#contacts")
        table.move_cursor(row=table.get_row_index(str(person_id)))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await replace_field(pilot, app, "job_title", "Завсклад")
        await replace_field(pilot, app, "phones", "+7 495 000-00-02")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        assert "Завсклад" in screen_text(app)
        person = next(c for c in contacts.list_contacts(ctx, company_id) if c.id == person_id)
        assert person.job_title == "Завсклад"
        assert [p.number for p in person.phones] == ["+7 495 000-00-02"]

        await pilot.press("delete")
        await settle(pilot, app)
        assert "Delete the contact person «Аааев»" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        assert person_id not in {c.id for c in contacts.list_contacts(ctx, company_id)}
        assert "Аааев" not in screen_text(app)


@pytest.mark.one_backend
async def test_bank_account_is_checked_against_the_bik_and_groups_are_joined(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[9]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        before = len(screen.card.bank_accounts)
        await to_tab(pilot, app, "8")
        await pilot.press("insert")  # a new bank account
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "АО «ТБанк»")
        await pilot.press("enter")
        await type_text(pilot, "044525974")
        await pilot.press("enter")
        await type_text(pilot, "40702810392544524142")  # a wrong control key
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert "does not match the BIK" in field_error(dialog, "account_no")
        await replace_field(pilot, app, "account_no", "40702810392544524141")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        accounts = clients.get_card(ctx, company_id).bank_accounts
        assert len(accounts) == before + 1
        assert "40702810392544524141" in {a.account_no for a in accounts}

        await to_tab(pilot, app, "7")
        groups_before = {g.id for g in clients.get_card(ctx, company_id).groups}
        await pilot.press("insert")
        await settle(pilot, app)
        await pilot.press("down", "enter")  # the first existing group after «new group»
        await settle(pilot, app)
        joined = {g.id for g in clients.get_card(ctx, company_id).groups} - groups_before
        assert len(joined) == 1
        name = next(g.name for g in clients.get_card(ctx, company_id).groups if g.id in joined)
        assert name in screen_text(app)


@pytest.mark.one_backend
async def test_the_tabs_ask_the_card_with_messages(demo_db):
    """A tab asks its card screen with a message: Ins on «History» plans an interaction
    (the card's dialog); a deal opened on «Deals» makes the card read itself again when
    the deal card closes; a save that fails on «Requisites» brings that tab forward."""
    ctx = context_for(demo_db, "ivanov")
    company_id = next(c for c in ivanov_clients(demo_db)[10:] if clients.get_card(ctx, c).deals)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_card(pilot, app, company_id)
        await to_tab(pilot, app, None)
        await pilot.press("insert")
        await settle(pilot, app)
        assert isinstance(app.screen, InteractionDialog) and app.screen.mode == "plan"
        assert app.screen.company_id == company_id
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen

        reloads: list[int] = []
        read_again = screen.reload_card
        screen.reload_card = lambda: (reloads.append(1), read_again())  # type: ignore[method-assign]
        await to_tab(pilot, app, "3")
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert reloads == []
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen and reloads == [1]

        await to_tab(pilot, app, "8")
        await replace_field(pilot, app, "inn", "7701234567")
        await to_tab(pilot, app, "2")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        tabs = screen.query_one("#card-tabs")
        assert tabs.active == "tab-requisites"  # type: ignore[attr-defined]
        assert field_error(screen, "inn") == "INN checksum does not match: check the digits"


@pytest.mark.one_backend
async def test_a_card_opened_after_another_shows_only_the_new_client(demo_db):
    """The closed card is reused (its widgets kept, issue 9): the next client's card
    shows nothing of the previous one — not its head, not what was typed and discarded
    on «Реквизиты» — and opens on the first tab; keys sent in one burst with Enter
    reach the new card."""
    ctx = context_for(demo_db, "ivanov")
    first_id, second_id = ivanov_clients(demo_db)[2:4]
    first, second = clients.get_card(ctx, first_id), clients.get_card(ctx, second_id)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_card(pilot, app, first_id)
        await to_tab(pilot, app, "8")
        await replace_field(pilot, app, "city", "Кострома-Туманная")
        await pilot.press("escape", "y")  # discard what was typed
        await settle(pilot, app)
        assert not isinstance(app.screen, ClientCardScreen)

        app.open_client(second_id)
        await settle(pilot, app)
        assert app.screen is screen  # the same screen, filled anew
        assert screen.company_id == second_id and screen.card.name == second.name
        text = screen_text(app)
        assert second.name in text and first.name not in text
        tabs = screen.query_one("#card-tabs")
        assert tabs.active == "tab-history" and tabs.display
        await to_tab(pilot, app, "8")
        assert screen.requisites.dirty() == {}
        assert "Кострома-Туманная" not in screen_text(app)
        assert screen.query_one("#input-city").value == (second.city or "")
        await pilot.press("escape")
        await settle(pilot, app)

        # Enter on the list and a tab key at once: the tab of the new card opens
        await pilot.press("f2")
        await settle(pilot, app)
        table = app.screen.query_one("#clients-table")
        table.focus()
        table.move_cursor(row=4)
        wanted = table.current.id
        await pilot.press("enter", "alt+3")
        await settle(pilot, app)
        assert app.screen is screen and screen.company_id == wanted
        assert screen.query_one("#card-tabs").active == "tab-deals"
        assert screen.card.name in screen_text(app)


async def test_after_logging_out_the_next_user_gets_a_card_of_their_own(demo_db):
    company_id = ivanov_clients(demo_db)[0]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert not screen.is_attached  # the kept card left with its user
        await log_in(pilot, app, "admin")
        app.open_client(company_id)
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen) and app.screen is not screen
        assert app.screen.card is not None and app.screen.card.id == company_id


async def test_an_interaction_names_the_product_of_interest(demo_db):
    """K1 «Предмет»: F4 in the interaction dialog picks a product from the reference book;
    it is saved with the call, shown on its history line and carried to the next plan."""
    from qstui.screens.dialogs.product_picker import ProductPicker
    from qstui.services.deals.choices import product_choices

    ctx = context_for(demo_db, "ivanov")
    company_id = client_without_plans(demo_db, skip=2)
    product = next(p for p in product_choices(ctx, "", 100) if p.sku)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, company_id)
        await pilot.press("ctrl+e")
        await type_text(pilot, "Спросил про товар")
        await pilot.press("f4")
        await settle(pilot, app)
        assert isinstance(app.screen, ProductPicker)
        await type_text(pilot, product.sku)
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, InteractionDialog) and dialog.product_id == product.id
        assert product.name in screen_text(app)
        await pilot.press("enter")  # the focus is back in the subject: Enter saves
        await settle(pilot, app)
        assert isinstance(app.screen, ClientCardScreen)
        await to_tab(pilot, app, "1")
        line = next(
            h for h in app.screen.card.history if h.subject == "Спросил про товар"
        )  # what the history tab shows
        assert line.product == product.name
        shown = [t for t in screen_text(app).splitlines() if "Спросил про товар" in t]
        assert len(shown) == 1 and product.name[:15] in shown[0]  # on the history line

        # a plan whose product is cleared (Del on its button) is saved without one
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        await type_text(pilot, "Без товара")
        app.screen.query_one("#product").focus()
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("enter")  # the first product of the list
        await settle(pilot, app)
        assert app.screen.product_id is not None
        await pilot.press("delete")
        assert app.screen.product_id is None
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    done = next(
        e
        for e in calendar_lists.company_history(ctx, company_id, limit=10).rows
        if e.subject == "Спросил про товар"
    )
    assert calendar_lists.get_event(ctx, done.id).product_id == product.id
    plan = next(
        e for e in calendar_lists.company_plans(ctx, company_id) if e.subject == "Без товара"
    )
    assert calendar_lists.get_event(ctx, plan.id).product_id is None
