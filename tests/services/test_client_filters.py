"""Saved filters of the client list and the group filter (C1), on both backends."""

from __future__ import annotations

import pytest
from client_support import company, make_team

from qstui.domain.clients import ClientFilter
from qstui.domain.enums import ClientKind
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.services.clients import companies as C
from qstui.services.clients import groups as G
from qstui.services.clients.filters import delete_filter, list_filters, save_filter


def test_filter_round_trips_through_a_dict():
    flt = ClientFilter(
        text="ромашка", manager_id=3, client_kind=ClientKind.PARTNER, custom={5: "опт"}
    )
    data = flt.to_dict()
    assert data == {
        "text": "ромашка",
        "manager_id": 3,
        "client_kind": "partner",
        "custom": {"5": "опт"},
    }
    assert ClientFilter.from_dict(data) == flt
    assert ClientFilter.from_dict({"manager_id": "3; drop", "x": 1, "custom": {"a": 1}}) == (
        ClientFilter()
    )
    assert ClientFilter().is_empty()


def test_saved_filters_are_per_user(db):
    team = make_team(db)
    first = save_filter(team.ivanov, "Москва", ClientFilter(city="моск"))
    again = save_filter(team.ivanov, "Москва", ClientFilter(city="москва", rating_min=3))
    assert again == first
    save_filter(team.ivanov, "VIP", ClientFilter(rating_min=5))
    save_filter(team.petrova, "Её", ClientFilter(text="x"))
    mine = list_filters(team.ivanov)
    assert [(f.name, f.filter) for f in mine] == [
        ("VIP", ClientFilter(rating_min=5)),
        ("Москва", ClientFilter(city="москва", rating_min=3)),
    ]
    with pytest.raises(NotFound):
        delete_filter(team.petrova, first)
    delete_filter(team.ivanov, first)
    assert [f.name for f in list_filters(team.ivanov)] == ["VIP"]
    with pytest.raises(ValidationFailed):
        save_filter(team.ivanov, " ", ClientFilter())


def test_group_filter_respects_group_visibility(db):
    team = make_team(db)
    a = company(team.ivanov, "А")
    company(team.ivanov, "Б")
    personal = G.create_group(team.ivanov, "Мои")
    G.add_members(team.ivanov, personal, [a])
    assert [r.id for r in C.list_clients(team.ivanov, ClientFilter(group_id=personal)).rows] == [a]
    assert C.count_clients(team.head, ClientFilter(group_id=personal)) == 0  # not his group
