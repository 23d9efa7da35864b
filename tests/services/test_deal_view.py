"""The deal card's first paint (``deal_view``): the card and what its drop-downs offer,
read in one session and equal to what the separate services return, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from deal_support import company, contact, make_team, product

from qstui.db.engine import Database
from qstui.domain.deals import DealView
from qstui.domain.errors import AccessDenied, NotFound
from qstui.services import deals as D
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.deals import documents as Docs
from qstui.services.deals import items as I
from qstui.services.deals import payments as P
from qstui.services.refbooks.currency import list_currencies

TODAY = date.today()


@contextmanager
def counting_sessions(db: Database) -> Iterator[list[str]]:
    """Every session opened on ``db`` meanwhile (read or write), by the kind."""
    opened: list[str] = []
    sessions = db.sessions

    class Counting:
        def __call__(self, *args, **kwargs):
            opened.append("session")
            return sessions(*args, **kwargs)

        def begin(self, *args, **kwargs):
            opened.append("transaction")
            return sessions.begin(*args, **kwargs)

    db.sessions = Counting()  # type: ignore[assignment]
    try:
        yield opened
    finally:
        db.sessions = sessions


def test_the_view_is_the_card_and_its_choices_read_in_one_session(db):
    team = make_team(db)
    client = company(db, "ООО «Ромашка»", team.id("anna"))
    contact(db, client, "Смирнов", "Олег")
    contact(db, client, "Петрова", "Анна")
    deal_id = D.create_deal(team.anna, client, "Серверная", started_on=TODAY - timedelta(days=30))
    version = D.get_deal(team.anna, deal_id).version
    I.add_item(team.anna, deal_id, version, product(db, "Сервер", "1500.00"), 2)
    P.add_payment(team.anna, deal_id, "planned", TODAY, Decimal("1000.00"))
    P.add_payment(team.anna, deal_id, "actual", TODAY, Decimal("500.00"))
    Docs.add_document(team.anna, deal_id, "invoice", "СЧ-1", TODAY, "3000.00")

    with counting_sessions(db) as opened:
        view = D.deal_view(team.anna, deal_id)
    assert opened == ["session"]

    assert isinstance(view, DealView)
    card = D.get_deal(team.anna, deal_id)
    assert view.card == card
    assert len(card.stages) > 1 and len(card.items) == 1
    assert len(card.payments) == 2 and len(card.documents) == 1
    assert card.debt is not None and card.debt.debt == Decimal("2500.00")
    assert list(view.contacts) == D.contact_choices(team.anna, deal_id)
    assert len(view.contacts) == 2
    assert list(view.managers) == D.manager_choices(team.anna)
    assert list(view.sources) == D.source_choices(team.anna)
    assert view.sources
    assert list(view.currencies) == list_currencies(team.anna)
    assert view.currencies


def test_the_view_sees_what_the_card_sees(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Поставка")
    head = D.deal_view(team.head, deal_id)  # the head of the department sees it
    assert head.card == D.get_deal(team.head, deal_id)
    assert list(head.managers) == D.manager_choices(team.head)
    with pytest.raises(NotFound):
        D.deal_view(team.vera, deal_id)  # another department
    with pytest.raises(NotFound):
        D.deal_view(team.anna, deal_id + 1000)
    revoke(team.system, "anna", R.DEALS)
    with pytest.raises(AccessDenied):
        D.deal_view(team.refresh(db, "anna"), deal_id)
