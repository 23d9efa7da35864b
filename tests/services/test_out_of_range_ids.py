"""A number no INTEGER column can hold names no record: the services answer NotFound,
as for any unknown id, instead of the driver's overflow error (firebird-driver refuses
one beyond 32 bits, sqlite3 one beyond 64) — a guard in ``Database``'s sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qstui.db.models import AuditEntry, Company
from qstui.domain.clients import CompanyInput
from qstui.domain.errors import NotFound
from qstui.services.calendar.lists import get_event
from qstui.services.clients import companies as C
from qstui.services.clients.card import get_card
from qstui.services.context import Context
from qstui.services.deals.view import get_deal


@pytest.mark.parametrize("number", [2**31, 3_000_000_000, 10**20])
def test_services_find_no_record_for_a_number_beyond_the_integer_range(db, number):
    ctx = Context.system(db)
    C.create_company(ctx, CompanyInput(name="Ромашка"))
    with db.reader() as s:
        before = (
            s.scalar(select(func.count(Company.id))),
            s.scalar(select(func.count(AuditEntry.id))),
        )
    for read in (get_card, get_deal, get_event):
        with pytest.raises(NotFound):
            read(ctx, number)
    with pytest.raises(NotFound):
        C.update_company(ctx, number, 1, name="Другая")
    with db.reader() as s:
        after = (
            s.scalar(select(func.count(Company.id))),
            s.scalar(select(func.count(AuditEntry.id))),
        )
    assert after == before
