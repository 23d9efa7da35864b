"""Contracts of a client (C2): added, edited and closed by those who may edit a client
they see, audited, on both backends."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from deal_support import company, make_team, without_right
from sqlalchemy import select
from tests.conftest import FROZEN_NOW

from qstui.db.models import AuditEntry
from qstui.domain.enums import AuditAction, ContractStatus
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services.clients import contracts as C
from qstui.services.clients.card import get_card

pytestmark = pytest.mark.usefixtures("frozen_clock")
TODAY = FROZEN_NOW.date()


def _audits(db, contract_id: int) -> list[AuditAction]:
    with db.reader() as s:
        return list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_kind == "contract", AuditEntry.object_id == contract_id)
                .order_by(AuditEntry.id)
            )
        )


def test_add_edit_and_close_a_contract(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    contract_id = C.add_contract(
        team.anna,
        client,
        number=" Д-17/2026 ",
        title="Поставка станков",
        signed_on=date(2026, 3, 1),
        currency_code="usd",
        amount="62510.00",
        pay_terms="50% аванс,\n50% в течение 30 дней",
        file_path="/srv/share/Договоры/Д-17.pdf",
    )
    info = C.get_contract(team.anna, contract_id)
    assert (info.number, info.currency_code, info.amount, info.status) == (
        "Д-17/2026",
        "USD",
        Decimal("62510.00"),
        ContractStatus.ACTIVE,
    )
    assert info.pay_terms == "50% аванс,\n50% в течение 30 дней"
    assert info.file_path == "/srv/share/Договоры/Д-17.pdf"
    assert [c.id for c in get_card(team.anna, client).contracts] == [contract_id]
    assert get_card(team.anna, client).contracts[0] == info

    version = C.update_contract(
        team.anna, contract_id, info.version, amount=None, pay_terms="100% аванс"
    )
    info = C.get_contract(team.anna, contract_id)
    assert (info.amount, info.pay_terms, info.version) == (None, "100% аванс", version)
    with pytest.raises(Conflict):
        C.update_contract(team.anna, contract_id, version - 1, title="x")

    version = C.close_contract(team.anna, contract_id, version)
    info = C.get_contract(team.anna, contract_id)
    assert info.status == ContractStatus.CLOSED and info.valid_to == TODAY
    with pytest.raises(ValidationFailed):
        C.close_contract(team.anna, contract_id, version)
    assert _audits(db, contract_id) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.UPDATE]


def test_rights_visibility_and_bad_input(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    # another department's manager does not see the client
    with pytest.raises(NotFound):
        C.add_contract(team.vera, client, number="1")
    contract_id = C.add_contract(team.head, client, number="1")
    version = C.get_contract(team.anna, contract_id).version
    with pytest.raises(NotFound):
        C.update_contract(team.vera, contract_id, version, title="x")
    with pytest.raises(NotFound):
        C.close_contract(team.vera, contract_id, version)
    viewer = without_right(db, "anna", "edit")
    with pytest.raises(AccessDenied):
        C.add_contract(viewer, client, number="2")
    with pytest.raises(AccessDenied):
        C.close_contract(viewer, contract_id, version)
    # one message per bad field; nothing written
    with pytest.raises(ValidationFailed) as bad:
        C.add_contract(
            team.anna,
            client,
            number="  ",
            signed_on="31.02.2026",
            currency_code="XXX",
            amount="-1",
        )
    assert set(bad.value.errors) == {"number", "signed_on", "amount"}
    with pytest.raises(ValidationFailed) as bad:
        C.add_contract(team.anna, client, number="3", currency_code="XXX")
    assert set(bad.value.errors) == {"currency_code"}
    with pytest.raises(ValidationFailed) as bad:
        C.update_contract(
            team.anna,
            contract_id,
            version,
            signed_on=TODAY,
            valid_to=TODAY - timedelta(days=1),
        )
    assert set(bad.value.errors) == {"valid_to"}
    with pytest.raises(ValidationFailed):
        C.add_contract(team.anna, client, number="4", status="closed")
    assert [c.id for c in get_card(team.anna, client).contracts] == [contract_id]
