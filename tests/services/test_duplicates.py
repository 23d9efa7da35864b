"""Duplicate check before registration (C3), on both backends."""

from __future__ import annotations

import pytest
from client_support import INN_A, INN_B, company, make_team, row_counts

from qstui.domain.clients import CompanyInput, DuplicatesFound
from qstui.domain.errors import NotFound
from qstui.services.clients import companies as C
from qstui.services.clients.duplicates import find_duplicates


@pytest.mark.parametrize(
    "existing, typed",
    [
        ('ООО "Ромашка"', "Ромашка, ООО"),
        ('ООО "Ромашка"', "Ромашка ООО"),
        ("Ромашка ООО", "общество с ограниченной ответственностью «Ромашка»"),
    ],
)
def test_duplicate_names_are_found_before_saving(db, existing, typed):
    team = make_team(db)
    first = company(team.ivanov, existing)
    before = row_counts(db)
    with pytest.raises(DuplicatesFound) as err:
        C.create_company(team.ivanov, CompanyInput(name=typed))
    assert [(h.reason.value, h.company_id) for h in err.value.hits] == [("name", first)]
    assert existing in str(err.value)
    assert row_counts(db) == before
    forced = C.create_company(team.ivanov, CompanyInput(name=typed), force=True)
    assert forced != first


def test_duplicates_by_inn_phone_and_email(db):
    team = make_team(db)
    a = company(team.ivanov, "Альфа", inn=INN_A, phone="+7 (495) 123-45-67")
    b = company(team.ivanov, "Бета", email="Sales@Beta.ru")
    hits = find_duplicates(
        team.ivanov, name="Гамма", inn=INN_A, phone="8 495 1234567", email="sales@beta.RU"
    )
    assert [(h.reason.value, h.company_id) for h in hits] == [
        ("inn", a),
        ("phone", a),
        ("email", b),
    ]
    assert find_duplicates(team.ivanov, name="Гамма", inn=INN_B, phone="8 495 0000000") == []


def test_duplicate_hits_cover_all_companies_but_reveal_only_id_name_manager(db):
    team = make_team(db)
    theirs = company(team.sidorov, "Секретная", inn=INN_A, notes="тайна")
    hits = find_duplicates(team.ivanov, name="Другая", inn=INN_A)
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.company_id, hit.name, hit.manager, hit.visible) == (
        theirs,
        "Секретная",
        "Сидор Сидоров",
        False,
    )
    assert set(vars(hit)) == {"reason", "company_id", "name", "manager", "visible"}
    with pytest.raises(NotFound):
        C.get_card(team.ivanov, theirs)
    with pytest.raises(DuplicatesFound):
        C.create_company(team.ivanov, CompanyInput(name="Другая", inn=INN_A))


def test_a_company_is_not_its_own_duplicate_and_hits_are_ordered(db):
    team = make_team(db)
    a = company(team.ivanov, "Ромашка", inn=INN_A)
    b = company(team.ivanov, "ООО Ромашка")
    hits = find_duplicates(team.ivanov, name="Ромашка", inn=INN_A, exclude_id=a)
    assert [(h.reason.value, h.company_id, h.visible) for h in hits] == [("name", b, True)]
    assert find_duplicates(team.ivanov) == []
    assert find_duplicates(team.ivanov, name="ООО", phone="123", email="nobody") == []
