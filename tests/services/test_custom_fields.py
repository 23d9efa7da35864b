"""Custom fields of companies (C2, S1): definitions by admins, values by managers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from client_support import audit_count, company, make_team, row_counts

from qstui.domain.clients import ClientFilter
from qstui.domain.enums import FieldKind
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services.clients import companies as C
from qstui.services.clients import custom_fields as F


def values(ctx, company_id):
    return {f.code: f.value for f in C.get_card(ctx, company_id).custom_fields}


def test_definitions_need_refbooks_edit(db):
    team = make_team(db)
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(AccessDenied):
        F.create_field(team.head, "segment", "Сегмент", FieldKind.TEXT)
    assert row_counts(db) == before and audit_count(db) == audits
    fid = F.create_field(team.system, "segment", "Сегмент", FieldKind.CHOICE, choices=["A", "B"])
    with pytest.raises(ValidationFailed) as err:
        F.create_field(team.system, "segment", "Ещё", FieldKind.TEXT)
    assert set(err.value.errors) == {"code"}
    with pytest.raises(ValidationFailed) as err:
        F.create_field(team.system, "Bad Code!", "", "colour")
    assert set(err.value.errors) == {"code", "title", "kind"}
    with pytest.raises(ValidationFailed) as err:
        F.create_field(team.system, "tier", "Уровень", FieldKind.CHOICE)
    assert set(err.value.errors) == {"choices"}
    [field] = F.list_fields(team.ivanov)
    assert (field.id, field.code, field.kind, field.choices) == (
        fid,
        "segment",
        FieldKind.CHOICE,
        ("A", "B"),
    )
    v2 = F.update_field(team.system, fid, field.version, title="Сегмент рынка", is_active=False)
    with pytest.raises(Conflict):
        F.update_field(team.system, fid, field.version, title="x")
    assert F.list_fields(team.ivanov) == []
    assert [f.title for f in F.list_fields(team.ivanov, include_inactive=True)] == ["Сегмент рынка"]
    F.delete_field(team.system, fid, v2)
    assert F.list_fields(team.ivanov, include_inactive=True) == []


def test_values_by_kind_with_validation_and_the_list_filter(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    other = company(iv, "Лютик")
    text = F.create_field(team.system, "note", "Пометка", FieldKind.TEXT)
    number = F.create_field(team.system, "staff", "Сотрудников", FieldKind.NUMBER)
    day = F.create_field(team.system, "since", "Клиент с", FieldKind.DATE)
    flag = F.create_field(team.system, "vip", "VIP", FieldKind.FLAG, is_required=True)
    choice = F.create_field(
        team.system, "segment", "Сегмент", FieldKind.CHOICE, choices=["Опт", "Розница"]
    )
    F.set_value(iv, cid, text, "Любит Звонки")
    F.set_value(iv, cid, number, "1 250,5")
    F.set_value(iv, cid, day, "01.02.2020")
    F.set_value(iv, cid, flag, "да")
    F.set_value(iv, cid, choice, "Опт")
    F.set_value(iv, other, choice, "Розница")
    assert values(iv, cid) == {
        "note": "Любит Звонки",
        "staff": Decimal("1250.5000"),
        "since": date(2020, 2, 1),
        "vip": True,
        "segment": "Опт",
    }
    assert values(iv, other)["note"] is None
    for field, bad in ((number, "много"), (day, "вчера"), (flag, "может"), (choice, "Партнёр")):
        with pytest.raises(ValidationFailed) as err:
            F.set_value(iv, cid, field, bad)
        assert len(err.value.errors) == 1
    with pytest.raises(ValidationFailed):
        F.set_value(iv, cid, flag, None)  # required
    F.set_value(iv, cid, text, "")
    assert values(iv, cid)["note"] is None

    def ids(custom):
        return sorted(r.id for r in C.list_clients(iv, ClientFilter(custom=custom)).rows)

    assert ids({choice: "опт"}) == [cid]
    assert ids({choice: "р"}) == [other]
    assert ids({choice: "%"}) == []
    theirs = company(team.sidorov, "Чужая")
    with pytest.raises(NotFound):
        F.set_value(iv, theirs, text, "x")
    with pytest.raises(NotFound):
        F.set_value(iv, cid, 999999, "x")
