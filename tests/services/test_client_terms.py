"""Client terms — соглашения (C6), on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from client_support import audit_count, company, make_team, row_counts

from qstui.domain.clients import TermsInput
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.clients import terms as T
from qstui.services.context import context_for


def test_terms_crud_with_validation_and_versions(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    tid = T.add_terms(
        iv,
        cid,
        TermsInput(
            title="Оптовые",
            discount_pct=Decimal("7.5"),
            prepay_pct=Decimal("30"),
            credit_days=14,
            pay_schedule="30% аванс, остаток за 14 дней",
            delivery_terms="Самовывоз",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        ),
    )
    [terms] = T.list_terms(iv, cid)
    assert (terms.id, terms.title, terms.discount_pct, terms.credit_days) == (
        tid,
        "Оптовые",
        Decimal("7.500"),
        14,
    )
    with pytest.raises(ValidationFailed) as err:
        T.add_terms(
            iv,
            cid,
            TermsInput(
                title="",
                discount_pct=Decimal("120"),
                credit_days=-1,
                valid_from=date(2026, 5, 1),
                valid_to=date(2026, 4, 1),
            ),
        )
    assert set(err.value.errors) == {"title", "discount_pct", "credit_days", "valid_to"}
    with pytest.raises(ValidationFailed) as err:
        T.update_terms(iv, tid, terms.version, valid_from=date(2027, 1, 1))
    assert set(err.value.errors) == {"valid_to"}
    v2 = T.update_terms(iv, tid, terms.version, markup_pct="3,5", is_active=False)
    with pytest.raises(Conflict):
        T.update_terms(iv, tid, terms.version, title="Другие")
    [terms] = T.list_terms(iv, cid)
    assert (terms.markup_pct, terms.is_active, terms.version) == (Decimal("3.500"), False, v2)
    with pytest.raises(NotFound):
        T.list_terms(team.sidorov, cid)
    with pytest.raises(NotFound):
        T.update_terms(team.sidorov, tid, v2, title="Чужие")
    revoke(team.system, "ivanov", R.EDIT)
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(AccessDenied):
        T.delete_terms(context_for(db, "ivanov"), tid, v2)
    assert row_counts(db) == before and audit_count(db) == audits
    T.delete_terms(team.head, tid, v2)
    assert T.list_terms(team.head, cid) == []
