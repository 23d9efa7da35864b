"""Custom fields of contact persons and deals (C2, S1): their values are set and read
like a company's — one encoding, one check — under the right of the object they belong
to and its version, all or none; deleting the object deletes its values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from deal_support import audit_count, company, count, make_team, without_right

from qstui.db.models import AuditEntry, Contact, CustomValue
from qstui.domain.clients import ContactInput
from qstui.domain.enums import FieldEntity, FieldKind
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services import deals as D
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as P
from qstui.services.clients import custom_fields as F
from qstui.services.deals.deal import set_custom_values

pytestmark = pytest.mark.usefixtures("frozen_clock")


def shown(fields) -> dict[str, object]:
    return {f.code: f.value for f in fields}


def values_count(db, field_ids, object_id: int) -> int:
    return count(
        db, CustomValue, CustomValue.field_id.in_(field_ids), CustomValue.object_id == object_id
    )


def test_deal_values_are_checked_versioned_and_kept_to_those_who_may_edit(db):
    team = make_team(db)
    admin, anna = team.system, team.anna
    text = F.create_field(admin, "po", "Номер заявки", FieldKind.TEXT, entity=FieldEntity.DEAL)
    number = F.create_field(admin, "budget", "Бюджет", FieldKind.NUMBER, entity=FieldEntity.DEAL)
    day = F.create_field(admin, "tender", "Тендер", FieldKind.DATE, entity=FieldEntity.DEAL)
    flag = F.create_field(
        admin, "urgent", "Срочно", FieldKind.FLAG, entity=FieldEntity.DEAL, is_required=True
    )
    choice = F.create_field(
        admin, "channel", "Канал", FieldKind.CHOICE, entity=FieldEntity.DEAL,
        choices=["Тендер", "Прямая"],
    )  # fmt: skip
    of_company = F.create_field(admin, "po", "Заявка клиента", FieldKind.TEXT)
    deal_id = D.create_deal(anna, company(db, "Ромашка", team.id("anna")), "Поставка")
    card = D.get_deal(anna, deal_id)
    assert shown(card.custom_fields) == dict.fromkeys(
        ["po", "budget", "tender", "urgent", "channel"]
    )
    assert [f.title for f in card.custom_fields][:2] == ["Номер заявки", "Бюджет"]

    audits = audit_count(db)
    v2 = set_custom_values(
        anna,
        deal_id,
        card.version,
        {text: " ПО-17 ", number: "1 500,25", day: "01.03.2026", flag: "да", choice: "Тендер"},
    )
    card = D.get_deal(anna, deal_id)
    assert v2 == card.version == 2  # the deal moved on: its other edits know of the change
    assert shown(card.custom_fields) == {
        "po": "ПО-17",
        "budget": Decimal("1500.2500"),
        "tender": date(2026, 3, 1),
        "urgent": True,
        "channel": "Тендер",
    }
    assert audit_count(db) == audits + 5
    assert count(db, AuditEntry, AuditEntry.object_kind == "custom_value") == 5

    # a stale version: nothing is written
    with pytest.raises(Conflict):
        set_custom_values(anna, deal_id, 1, {text: "ПО-18"})
    # every bad value is named by its field's code, and the good one is not saved either
    with pytest.raises(ValidationFailed) as err:
        set_custom_values(
            anna,
            deal_id,
            v2,
            {text: "ПО-18", number: "много", day: "вчера", flag: "", choice: "Другое"},
        )
    assert err.value.errors == {
        "budget": "Enter a number",
        "tender": "Enter a date as DD.MM.YYYY",
        "urgent": "Required",
        "channel": "Choose one of: Тендер, Прямая",
    }
    assert D.get_deal(anna, deal_id) == card
    # the same values again change nothing, not even the version
    assert set_custom_values(anna, deal_id, v2, {text: "ПО-17", flag: True}) == v2
    # clearing deletes the value
    v3 = set_custom_values(anna, deal_id, v2, {text: "", choice: None})
    assert shown(D.get_deal(anna, deal_id).custom_fields)["po"] is None
    assert values_count(db, [text, choice], deal_id) == 0
    # a field of companies is not a field of deals
    with pytest.raises(NotFound):
        set_custom_values(anna, deal_id, v3, {of_company: "x"})

    # a field no longer in use: still shown while it holds a value, read-only
    [definition] = [f for f in F.list_fields(admin, FieldEntity.DEAL) if f.id == number]
    F.update_field(admin, number, definition.version, is_active=False)
    [chan] = [f for f in F.list_fields(admin, FieldEntity.DEAL) if f.id == choice]
    F.update_field(admin, choice, chan.version, is_active=False)  # and empty: not shown
    fields = D.get_deal(anna, deal_id).custom_fields
    assert [(f.code, f.is_active) for f in fields] == [
        ("po", True),
        ("budget", False),
        ("tender", True),
        ("urgent", True),
    ]
    with pytest.raises(ValidationFailed) as err:
        set_custom_values(anna, deal_id, v3, {number: "10"})
    assert err.value.errors == {"budget": "The field is no longer in use"}

    # rights: someone else's deal does not exist for a manager; the head of the
    # department edits it; without «edit» nobody does
    for other in (team.vera, team.boris):
        with pytest.raises(NotFound):
            set_custom_values(other, deal_id, v3, {text: "чужое"})
    v4 = set_custom_values(team.head, deal_id, v3, {text: "от руководителя"})
    with pytest.raises(AccessDenied):
        set_custom_values(without_right(db, "anna", "edit"), deal_id, v4, {text: "x"})
    assert shown(D.get_deal(anna, deal_id).custom_fields)["po"] == "от руководителя"

    # the values go with the deal
    D.delete_deal(team.head, deal_id, v4)
    assert values_count(db, [text, number, day, flag, choice], deal_id) == 0


def test_contact_values_come_with_the_person_and_go_with_it(db):
    team = make_team(db)
    admin, anna = team.system, team.anna
    hobby = F.create_field(admin, "hobby", "Увлечения", FieldKind.TEXT, entity=FieldEntity.CONTACT)
    role = F.create_field(
        admin, "role", "Роль", FieldKind.CHOICE, entity=FieldEntity.CONTACT,
        choices=["ЛПР", "ЛВР"], is_required=True,
    )  # fmt: skip
    company_id = company(db, "Ромашка", team.id("anna"))

    # a bad value of a new person: the person is not added either
    with pytest.raises(ValidationFailed) as err:
        P.add_contact(anna, company_id, ContactInput(last_name="Фёдоров"), custom={role: "Босс"})
    assert err.value.errors == {"role": "Choose one of: ЛПР, ЛВР"}
    assert count(db, Contact) == 0
    person_id = P.add_contact(
        anna, company_id, ContactInput(last_name="Фёдоров"), custom={hobby: "Рыбалка", role: "ЛПР"}
    )
    [person] = P.list_contacts(anna, company_id)
    assert shown(person.custom_fields) == {"hobby": "Рыбалка", "role": "ЛПР"}
    assert C.get_card(anna, company_id).contacts == (person,)

    v2 = P.set_contact_values(anna, person_id, person.version, {hobby: "", role: "ЛВР"})
    assert v2 == person.version + 1
    [person] = P.list_contacts(anna, company_id)
    assert (shown(person.custom_fields), person.version) == ({"hobby": None, "role": "ЛВР"}, v2)
    with pytest.raises(Conflict):  # the person was saved since
        P.set_contact_values(anna, person_id, v2 - 1, {hobby: "Шахматы"})
    with pytest.raises(ValidationFailed) as err:
        P.set_contact_values(anna, person_id, v2, {role: " "})
    assert err.value.errors == {"role": "Required"}
    for other in (team.vera, team.boris):
        with pytest.raises(NotFound):
            P.set_contact_values(other, person_id, v2, {hobby: "чужое"})
    with pytest.raises(AccessDenied):
        P.set_contact_values(without_right(db, "anna", "edit"), person_id, v2, {hobby: "x"})
    assert P.list_contacts(anna, company_id) == [person]

    # a deleted person and a deleted company leave no values behind
    P.delete_contact(anna, person_id, v2)
    assert values_count(db, [hobby, role], person_id) == 0
    deal_field = F.create_field(admin, "po", "Заявка", FieldKind.TEXT, entity=FieldEntity.DEAL)
    other_id = P.add_contact(
        anna, company_id, ContactInput(last_name="Жуков"), custom={role: "ЛПР"}
    )
    deal_id = D.create_deal(anna, company_id, "Поставка")
    set_custom_values(anna, deal_id, 1, {deal_field: "ПО-1"})
    C.delete_company(team.system, company_id, C.get_card(team.system, company_id).version)
    assert values_count(db, [role], other_id) == values_count(db, [deal_field], deal_id) == 0
