"""The client card (C2) and the debt of deals and clients (D6), on both backends.

Deals, documents, payments, interactions and sendings are written with the ORM here
(their services belong to other modules)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from client_support import ACCOUNT, BIK, CORR, INN_A, company, make_team
from sqlalchemy import select

from qstui.db.models import (
    Claim,
    Contract,
    CurrencyRate,
    Deal,
    DealDocument,
    DealItem,
    Event,
    EventType,
    Package,
    Payment,
    Pipeline,
    Product,
    Sending,
    Stage,
)
from qstui.domain import clock
from qstui.domain.clients import BankAccountInput, ContactInput, TermsInput
from qstui.domain.clock import utcnow
from qstui.domain.enums import (
    ClaimStatus,
    DealStatus,
    DocKind,
    DocState,
    EventStatus,
    FieldKind,
    PaymentKind,
)
from qstui.domain.errors import AccessDenied, NotFound
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as P
from qstui.services.clients import custom_fields as F
from qstui.services.clients import groups as G
from qstui.services.clients.debt import client_debts, deal_debts
from qstui.services.clients.terms import add_terms
from qstui.services.deals.sums import recount_deal_money


def _deal(s, company_id, manager_id, title, currency="RUB", status=DealStatus.OPEN, **kw):
    pipeline = s.scalar(select(Pipeline).order_by(Pipeline.id))
    stage = s.scalar(select(Stage).where(Stage.pipeline_id == pipeline.id).order_by(Stage.sort_no))
    deal = Deal(
        title=title,
        title_fold=title.lower(),
        company_id=company_id,
        manager_id=manager_id,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        started_on=kw.pop("started_on", clock.today() - timedelta(days=30)),
        currency_code=currency,
        status=status,
        **kw,
    )
    s.add(deal)
    s.flush()
    return deal


def _doc(s, deal, kind, amount, currency=None, state=DocState.POSTED):
    s.add(
        DealDocument(
            deal_id=deal.id,
            company_id=deal.company_id,
            doc_kind=kind,
            doc_no=f"{kind.value}-{amount}",
            doc_date=clock.today(),
            amount=Decimal(amount),
            currency_code=currency or deal.currency_code,
            state=state,
        )
    )


def _pay(s, deal, amount, currency=None, kind=PaymentKind.ACTUAL):
    s.add(
        Payment(
            deal_id=deal.id,
            company_id=deal.company_id,
            pay_kind=kind,
            pay_date=clock.today(),
            amount=Decimal(amount),
            currency_code=currency or deal.currency_code,
        )
    )


def _rates(s):
    today = clock.today()
    for day, rate in (
        (today - timedelta(10), "80"),
        (today - timedelta(1), "90"),
        (today + timedelta(5), "100"),
    ):
        s.add(CurrencyRate(currency_code="USD", rate_date=day, rate=Decimal(rate), nominal=1))


def test_debt_is_max_of_invoiced_and_shipped_minus_actual_payments_in_rub(db):
    team = make_team(db)
    cid = company(team.ivanov, "Должник")
    other = company(team.ivanov, "Без сделок")
    with db.transaction() as s:
        _rates(s)
        rub = _deal(s, cid, team.ivanov.user_id, "Рублёвая")
        _doc(s, rub, DocKind.INVOICE, "1000")
        _doc(s, rub, DocKind.SHIPMENT, "800")
        _doc(s, rub, DocKind.INVOICE_FACTURA, "5000")  # not counted
        _pay(s, rub, "300")
        _pay(s, rub, "500", kind=PaymentKind.PLANNED)  # not counted
        _pay(s, rub, "2", currency="USD")  # 2 × 90 = 180 ₽
        usd = _deal(s, cid, team.ivanov.user_id, "Долларовая", currency="USD")
        _doc(s, usd, DocKind.INVOICE, "100")
        _doc(s, usd, DocKind.SHIPMENT, "150")
        _doc(s, usd, DocKind.INVOICE, "1000", state=DocState.DELETED)  # not counted
        _pay(s, usd, "50")
        ids = (rub.id, usd.id)
        # written with the ORM, not through the services: recount as they do
        recount_deal_money(s, ids)
    with db.reader() as s:
        assert deal_debts(s, list(ids)) == {ids[0]: Decimal("520.00"), ids[1]: Decimal("100.00")}
        assert deal_debts(s, list(ids), in_base=True) == {
            ids[0]: Decimal("520.00"),
            ids[1]: Decimal("9000.00"),
        }
        assert client_debts(s, [cid, other]) == {cid: Decimal("9520.00"), other: Decimal("0.00")}
    row = {r.id: r for r in C.list_clients(team.ivanov).rows}
    assert row[cid].debt == Decimal("9520.00")
    card = C.get_card(team.ivanov, cid)
    assert card.total_debt == Decimal("9520.00")
    assert {(d.title, d.currency_code, d.debt) for d in card.deals} == {
        ("Рублёвая", "RUB", Decimal("520.00")),
        ("Долларовая", "USD", Decimal("100.00")),
    }


def test_the_card_holds_everything_in_one_object(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, 'ООО "Ромашка"', inn=INN_A, city="Москва", phone="8 495 111-22-33")
    contact_id = P.add_contact(
        iv,
        cid,
        ContactInput(last_name="Фёдоров", first_name="Иван", job_title="Директор", is_primary=True),
        phones=["+7 916 000-11-22"],
        emails=["fedorov@romashka.ru"],
    )
    P.add_bank_account(
        iv,
        cid,
        BankAccountInput(bank_name="Сбербанк", bik=BIK, account_no=ACCOUNT, corr_account=CORR),
    )
    field_a = F.create_field(
        team.system, "segment", "Сегмент", FieldKind.CHOICE, choices=["A", "B"]
    )
    F.create_field(team.system, "since", "Клиент с", FieldKind.DATE)
    F.set_value(iv, cid, field_a, "B")
    shared = G.create_group(team.head, "Выставка", shared=True)
    mine = G.create_group(iv, "Мои любимые")
    theirs = G.create_group(team.head, "Личная начальника")
    for group in (shared, mine, theirs):
        owner = iv if group == mine else team.head
        G.add_members(owner, group, [cid])
    add_terms(iv, cid, TermsInput(title="Опт", discount_pct=Decimal("5"), credit_days=14))
    now = utcnow()
    with db.transaction() as s:
        call = s.scalar(select(EventType.id).where(EventType.code == "call"))
        won = _deal(s, cid, iv.user_id, "Поставка", status=DealStatus.WON, closed_on=clock.today())
        product = Product(name="Принтер", name_fold="принтер", price=Decimal("100"))
        s.add(product)
        s.flush()
        for qty in (2, 3):
            s.add(
                DealItem(
                    deal_id=won.id,
                    product_id=product.id,
                    qty=Decimal(qty),
                    price=Decimal("100"),
                    amount=Decimal(100 * qty),
                )
            )
        _deal(s, cid, iv.user_id, "Открытая")
        s.add(Contract(company_id=cid, number="Д-1", title="Рамочный"))
        package = Package(name="Прайс", subject="Прайс-лист")
        s.add(package)
        s.flush()
        s.add(Sending(package_id=package.id, company_id=cid, email_to="fedorov@romashka.ru"))
        s.add(Claim(company_id=cid, subject="Сломан принтер", status=ClaimStatus.NEW))
        for days in range(1, 6):
            s.add(
                Event(
                    type_id=call,
                    status=EventStatus.DONE,
                    company_id=cid,
                    contact_id=contact_id,
                    responsible_id=iv.user_id,
                    subject=f"Звонок {days}",
                    event_at=now - timedelta(days=days),
                    done_at=now - timedelta(days=days),
                    result_text="договорились",
                )
            )
        for days in (3, 1):
            s.add(
                Event(
                    type_id=call,
                    company_id=cid,
                    responsible_id=iv.user_id,
                    subject=f"План {days}",
                    event_at=now + timedelta(days=days),
                )
            )
    card = C.get_card(iv, cid, history=3)
    assert (card.name, card.inn, card.city, card.manager) == (
        'ООО "Ромашка"',
        INN_A,
        "Москва",
        "Иван Иванов",
    )
    assert card.version >= 1
    assert [p.number for p in card.phones] == ["8 495 111-22-33"]
    [person] = card.contacts
    assert (person.full_name, person.job_title, person.is_primary) == (
        "Фёдоров Иван",
        "Директор",
        True,
    )
    assert [p.number for p in person.phones] == ["+7 916 000-11-22"]
    assert [e.address for e in person.emails] == ["fedorov@romashka.ru"]
    assert [(b.bik, b.account_no) for b in card.bank_accounts] == [(BIK, ACCOUNT)]
    assert [(f.code, f.value) for f in card.custom_fields] == [("segment", "B"), ("since", None)]
    assert {(g.name, g.is_shared) for g in card.groups} == {
        ("Выставка", True),
        ("Мои любимые", False),
    }
    assert [(t.title, t.discount_pct, t.credit_days) for t in card.terms] == [
        ("Опт", Decimal("5.000"), 14)
    ]
    assert [c.number for c in card.contracts] == ["Д-1"]
    assert {d.title for d in card.deals} == {"Поставка", "Открытая"}
    assert [(p.product, p.qty, p.amount) for p in card.products] == [
        ("Принтер", Decimal("5"), Decimal("500.00"))
    ]
    assert [m.package for m in card.materials] == ["Прайс"]
    assert [c.subject for c in card.claims] == ["Сломан принтер"]
    assert [h.subject for h in card.history] == ["Звонок 1", "Звонок 2", "Звонок 3"]
    assert card.history[0].contact == "Фёдоров Иван"
    assert card.history[0].result == "договорились"
    assert card.history[0].type == "Call"
    assert [p.subject for p in card.plans] == ["План 1", "План 3"]

    with pytest.raises(NotFound):
        C.get_card(team.sidorov, cid)
    with pytest.raises(NotFound):
        C.get_card(iv, cid + 1000)
    from qstui.services import rights as R
    from qstui.services.access.users import revoke
    from qstui.services.context import context_for

    revoke(team.system, "ivanov", R.CLIENTS)
    with pytest.raises(AccessDenied):
        C.get_card(context_for(db, "ivanov"), cid)


def test_card_loads_in_a_bounded_number_of_queries(db):
    """Set-based: the number of statements does not grow with contacts or deals."""
    from sqlalchemy import event

    team = make_team(db)
    cid = company(team.ivanov, "Большая")

    def statements():
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            C.get_card(team.ivanov, cid)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    P.add_contact(team.ivanov, cid, ContactInput(last_name="Первый"), phones=["8 495 1234567"])
    with db.transaction() as s:
        _deal(s, cid, team.ivanov.user_id, "Первая")
    few = statements()
    for i in range(6):
        P.add_contact(
            team.ivanov, cid, ContactInput(last_name=f"Контакт{i}"), phones=["8 495 1234567"]
        )
    with db.transaction() as s:
        for i in range(6):
            _pay(s, _deal(s, cid, team.ivanov.user_id, f"Сделка {i}"), "10")
    assert statements() == few
    assert few <= 22
