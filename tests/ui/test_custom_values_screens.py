"""Custom fields of deals and contact persons on the screens (C2, S1): an admin defines
them in the reference books, a manager fills them on the deal card («Fields») and in the
contact person's form — checked on the screen and in the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle, to_tab
from textual.widgets import Select

from qstui.domain.clients import ContactInput
from qstui.domain.deals import DealFilter
from qstui.domain.enums import DealStatus, FieldEntity
from qstui.screens.client_tabs.base import CardField
from qstui.services.clients import companies as clients
from qstui.services.clients import contacts
from qstui.services.clients import custom_fields as F
from qstui.services.context import Context, context_for
from qstui.services.deals import get_deal, list_deals, update_deal
from qstui.services.deals.deal import set_custom_values
from qstui.services.refbooks import books
from qstui.widgets.form import FormDialog


def define(db, entity: str, code: str, title: str, kind: str, choices: str = "") -> int:
    """A custom field added by the admin in the reference book «Custom fields»."""
    admin = context_for(db, "admin")
    values = {"entity": entity, "code": code, "title": title, "field_kind": kind}
    if choices:
        values["choices"] = choices
    return books.add_value(admin, "custom_fields", values)


def ivanov_deals(db, n: int) -> list[int]:
    ctx = context_for(db, "ivanov")
    rows = list_deals(ctx, DealFilter(status=DealStatus.OPEN), limit=50).rows
    found = [row.id for row in rows if row.manager_id == ctx.user_id][:n]
    assert len(found) == n
    return found


async def open_deal(pilot, app, deal_id: int) -> None:
    await log_in(pilot, app, "ivanov")
    app.open_deal(deal_id)
    await settle(pilot, app)
    assert type(app.screen).__name__ == "DealCardScreen"


async def retype(pilot, app, name: str, text: str) -> None:
    """Focus the field ``name`` of the screen, clear it and type ``text``."""
    app.screen.query_one(f"#input-{name}").focus()
    await pilot.press("home", "ctrl+k", *text)


def error_of(app, name: str) -> str:
    field = app.screen.query_one(f"#field-{name}", CardField)
    return str(field.query_one(".field-error").render())


def deal_values(db, deal_id: int) -> dict[str, object]:
    card = get_deal(context_for(db, "ivanov"), deal_id)
    return {f.code: f.value for f in card.custom_fields}


async def test_a_manager_fills_the_deal_fields_an_admin_defined(demo_db):
    define(demo_db, "deal", "budget", "Бюджет клиента", "number")
    define(demo_db, "deal", "channel", "Канал", "choice", "Тендер; Прямая")
    deal_id = ivanov_deals(demo_db, 1)[0]
    version = get_deal(context_for(demo_db, "ivanov"), deal_id).version
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_deal(pilot, app, deal_id)
        screen = app.screen
        # something typed on «Main» and left unsaved stays through the fields' saves
        await retype(pilot, app, "reason", "Рекомендация")
        await pilot.press("alt+6")  # a digit alone would go into the field
        await settle(pilot, app)
        assert screen.query_one("#card-tabs").active == "tab-fields"
        assert "Бюджет клиента" in screen_text(app)

        # a bad number: its message under the field, what was typed kept, nothing saved
        await retype(pilot, app, "budget", "много")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert error_of(app, "budget") == "Enter a number"
        assert screen.query_one("#input-budget").value == "много"
        assert get_deal(context_for(demo_db, "ivanov"), deal_id).version == version

        # the number fixed, a choice picked from its drop-down, ctrl+s
        await retype(pilot, app, "budget", "1 500,5")
        screen.query_one("#input-channel", Select).focus()
        await pilot.press("enter", "down", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert deal_values(demo_db, deal_id) == {
            "budget": Decimal("1500.5000"),
            "channel": "Прямая",
        }
        assert error_of(app, "budget") == ""
        assert screen.query_one("#input-budget").value == "1500.5"  # as saved
        assert not screen.fields.dirty
        assert screen.query_one("#input-reason").value == "Рекомендация"

        # someone saves the deal meanwhile: the conflict dialog, then the saved deal with
        # what was typed on top, saved by the next ctrl+s
        await retype(pilot, app, "budget", "2000")
        other = get_deal(context_for(demo_db, "ivanov"), deal_id)
        update_deal(Context.system(demo_db), deal_id, other.version, notes="Звонили")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConflictDialog"
        assert "2000" in screen_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.query_one("#input-budget").value == "2000"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        saved = get_deal(context_for(demo_db, "ivanov"), deal_id)
        assert saved.notes == "Звонили"
        assert {f.code: f.value for f in saved.custom_fields}["budget"] == Decimal("2000")
        assert screen.query_one("#input-reason").value == "Рекомендация"

        # typed and left: the card asks first, and opened again shows the saved value
        await retype(pilot, app, "budget", "3000")
        await pilot.press("escape", "escape")  # out of the field, then out of the card
        await settle(pilot, app)
        assert "unsaved changes" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        app.open_deal(deal_id)
        await settle(pilot, app)
        assert app.screen is screen  # the kept card, reopened
        assert screen.query_one("#input-budget").value == "2000"
        assert not screen.has_unsaved()


async def test_the_contact_form_shows_and_edits_the_persons_fields(demo_db):
    hobby = define(demo_db, "contact", "hobby", "Увлечения", "text")
    define(demo_db, "contact", "met", "Знакомы с", "date")
    ctx = context_for(demo_db, "ivanov")
    company_id = clients.list_clients(ctx, limit=1).rows[0].id
    person_id = contacts.add_contact(
        ctx, company_id, ContactInput(last_name="Яковлев"), custom={hobby: "Теннис"}
    )
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_client(company_id)
        await settle(pilot, app)
        screen = app.screen
        await to_tab(pilot, app, "2")
        table = screen.query_one("#contacts")
        table.move_cursor(row=table.get_row_index(str(person_id)))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        assert app.screen.query_one("#input-cf_hobby").value == "Теннис"
        await retype(pilot, app, "cf_hobby", "Шахматы")
        await retype(pilot, app, "cf_met", "вчера")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        # the bad date is explained at its field; nothing is saved and nothing typed lost
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert error_of(app, "cf_met") == "Enter a date as DD.MM.YYYY"
        assert dialog.query_one("#input-cf_hobby").value == "Шахматы"
        [person] = [c for c in contacts.list_contacts(ctx, company_id) if c.id == person_id]
        assert person.custom_fields[0].value == "Теннис"
        await retype(pilot, app, "cf_met", "01.09.2024")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        [person] = [c for c in contacts.list_contacts(ctx, company_id) if c.id == person_id]
        assert [(f.code, f.value) for f in person.custom_fields] == [
            ("hobby", "Шахматы"),
            ("met", date(2024, 9, 1)),
        ]

        # a new person: the form offers the person's fields too
        await pilot.press("insert")
        await settle(pilot, app)
        assert isinstance(app.screen, FormDialog)
        await pilot.press(*"Зуев")
        await retype(pilot, app, "cf_hobby", "Рыбалка")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        [new] = [c for c in contacts.list_contacts(ctx, company_id) if c.last_name == "Зуев"]
        assert [(f.code, f.value) for f in new.custom_fields] == [
            ("hobby", "Рыбалка"),
            ("met", None),
        ]


@pytest.mark.one_backend  # what is drawn does not depend on the database
async def test_the_fields_tab_fits_80x24_and_a_field_out_of_use_is_read_only(demo_db):
    field_id = define(demo_db, "deal", "tender_no", "Номер тендера", "text")
    deal_id = ivanov_deals(demo_db, 2)[1]
    ivanov = context_for(demo_db, "ivanov")
    set_custom_values(ivanov, deal_id, get_deal(ivanov, deal_id).version, {field_id: "Т-42"})
    admin = context_for(demo_db, "admin")
    [field] = [f for f in F.list_fields(admin, FieldEntity.DEAL) if f.id == field_id]
    F.update_field(admin, field_id, field.version, is_active=False)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_deal(pilot, app, deal_id)
        await pilot.press("6")
        await settle(pilot, app)
        text = screen_text(app)
        for label in ("6 Fields", "Custom fields:", "Номер тендера", "Т-42", "ctrl+s — save"):
            assert label in text, label
        field = app.screen.query_one("#field-tender_no", CardField)
        assert field.spec.label == "Номер тендера (no longer in use)"
        assert field.input.disabled
