"""Products (D3), payments (D4), 1C documents (D5) and debt (D6) of deals, exact to the
kopeck on both backends."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from deal_support import (
    audit_count,
    company,
    count,
    default_pipeline,
    make_team,
    product,
    row,
    without_right,
)
from tests.conftest import FROZEN_NOW

from qstui.db.models import CurrencyRate, Deal, DealItem, Payment
from qstui.domain.deals import debt_amount, item_amount
from qstui.domain.enums import DocKind, DocState, PaymentKind, PaymentSource
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ServiceError, ValidationFailed
from qstui.services import deals as D
from qstui.services.deals import debt as Debt
from qstui.services.deals import documents as Docs
from qstui.services.deals import items as I
from qstui.services.deals import payments as P
from qstui.services.refbooks.currency import MissingRate

pytestmark = pytest.mark.usefixtures("frozen_clock")  # "today" is the frozen day
TODAY = FROZEN_NOW.date()


def _rate(db, code: str, day: date, rate: str, nominal: int = 1) -> None:
    with db.transaction() as s:
        s.add(CurrencyRate(currency_code=code, rate_date=day, rate=Decimal(rate), nominal=nominal))


def _deal(db, team, title: str = "Сделка", **kw) -> int:
    client = kw.pop("client", None) or company(db, "Ромашка", team.id("anna"))
    return D.create_deal(team.anna, client, title, **kw)


def _version(db, deal_id: int) -> int:
    return row(db, Deal, deal_id).version


# --- pure rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "price", "discount", "expected"),
    [
        ("3", "333.33", "10", "899.99"),  # 899.991
        ("1.5", "0.05", "0", "0.08"),  # 0.075 → half up
        ("2", "0.125", "0", "0.25"),
        ("1", "0.01", "50", "0.01"),  # 0.005 → half up
        ("7", "1000.00", "100", "0.00"),
        ("0.333", "3.00", "0", "1.00"),  # 0.999
        ("999999999999.999", "0.01", "0", "10000000000.00"),
    ],
)
def test_item_amount_is_exact_half_up(qty, price, discount, expected):
    assert item_amount(Decimal(qty), Decimal(price), Decimal(discount)) == Decimal(expected)


def test_debt_amount_takes_the_larger_of_invoiced_and_shipped():
    assert debt_amount(Decimal("100"), Decimal("80"), Decimal("30")) == Decimal("70.00")
    assert debt_amount(Decimal("100"), Decimal("120"), Decimal("30")) == Decimal("90.00")
    assert debt_amount(Decimal("0"), Decimal("0"), Decimal("30")) == Decimal("-30.00")


# --- products of a deal ------------------------------------------------------------------


def test_items_keep_the_deal_amount_exact_and_bump_its_version(db):
    team = make_team(db)
    deal_id = _deal(db, team)
    laptop = product(db, "Ноутбук", "84990.90", vat="20")
    cable = product(db, "Кабель", "0.05", vat="10", unit="006")
    v = _version(db, deal_id)

    first = I.add_item(team.anna, deal_id, v, laptop, 3, discount_pct=Decimal("2.5"))
    assert first.deal_version == v + 1
    second = I.add_item(team.anna, deal_id, first.deal_version, cable, "1.5")
    third = I.add_item(team.anna, deal_id, second.deal_version, laptop, 1, price="333.33")

    items = I.list_items(team.anna, deal_id)
    assert [(i.line_no, i.product_name) for i in items] == [
        (1, "Ноутбук"),
        (2, "Кабель"),
        (3, "Ноутбук"),
    ]
    # 3 × 84 990.90 × 0.975 = 248 598.3825 → 248 598.38; 1.5 × 0.05 = 0.075 → 0.08
    assert [i.amount for i in items] == [
        Decimal("248598.38"),
        Decimal("0.08"),
        Decimal("333.33"),
    ]
    assert items[0].price == Decimal("84990.90") and items[0].vat_pct == Decimal("20")
    assert items[1].unit == "м" and items[1].qty == Decimal("1.5")
    deal = row(db, Deal, deal_id)
    assert deal.amount == Decimal("248931.79")
    assert deal.version == third.deal_version

    v = I.update_item(
        team.anna, first.item_id, third.deal_version, qty=2, discount_pct=None, price="100.10"
    )
    assert row(db, DealItem, first.item_id).amount == Decimal("200.20")
    assert row(db, Deal, deal_id).amount == Decimal("533.61")
    v = I.remove_item(team.anna, second.item_id, v)
    assert [(i.line_no, i.amount) for i in I.list_items(team.anna, deal_id)] == [
        (1, Decimal("200.20")),
        (2, Decimal("333.33")),
    ]
    assert row(db, Deal, deal_id).amount == Decimal("533.53")
    assert D.get_deal(team.anna, deal_id).version == v


def test_item_edits_from_the_same_deal_version_conflict(db):
    team = make_team(db)
    deal_id = _deal(db, team)
    laptop = product(db, "Ноутбук", "100.00")
    saved = I.add_item(team.anna, deal_id, _version(db, deal_id), laptop, 1)

    I.update_item(team.anna, saved.item_id, saved.deal_version, qty=5)
    with pytest.raises(Conflict):
        I.update_item(team.anna, saved.item_id, saved.deal_version, qty=7)
    with pytest.raises(Conflict):
        I.add_item(team.anna, deal_id, saved.deal_version, laptop, 1)
    assert row(db, DealItem, saved.item_id).qty == Decimal("5")
    assert count(db, DealItem) == 1
    assert row(db, Deal, deal_id).amount == Decimal("500.00")


def test_item_validation_writes_nothing(db):
    team = make_team(db)
    deal_id = _deal(db, team)
    laptop = product(db, "Ноутбук", "100.00")
    retired = product(db, "Снят с продажи", "1.00", active=False)
    v = _version(db, deal_id)
    before = audit_count(db)

    with pytest.raises(ValidationFailed) as err:
        I.add_item(team.anna, deal_id, v, laptop, 0, price="-1", discount_pct=101, vat_pct="abc")
    assert set(err.value.errors) == {"qty", "price", "discount_pct", "vat_pct"}
    with pytest.raises(ValidationFailed) as err:
        I.add_item(team.anna, deal_id, v, laptop, "1.0001", price="1.001")
    assert set(err.value.errors) == {"qty", "price"}
    with pytest.raises(ValidationFailed) as err:
        I.add_item(team.anna, deal_id, v, retired, 1)
    assert set(err.value.errors) == {"product_id"}
    with pytest.raises(ValidationFailed) as err:
        I.add_item(team.anna, deal_id, v, laptop, "999999999999", price="99999999.99")
    assert set(err.value.errors) == {"amount"}
    assert count(db, DealItem) == 0 and audit_count(db) == before
    assert _version(db, deal_id) == v


def test_default_price_is_converted_into_the_deal_currency(db):
    team = make_team(db)
    _rate(db, "USD", TODAY - timedelta(days=1), "80.0000")
    deal_id = _deal(db, team, currency_code="USD")
    laptop = product(db, "Ноутбук", "1000.00")  # RUB
    I.add_item(team.anna, deal_id, _version(db, deal_id), laptop, 2)
    item = I.list_items(team.anna, deal_id)[0]
    assert (item.price, item.amount) == (Decimal("12.50"), Decimal("25.00"))


# --- payments and documents --------------------------------------------------------------


def test_the_debt_example_is_exact(db):
    """An invoice of 100 000 ₽ and payments of 30 000 + 20 000 ₽: debt 50 000.00."""
    team = make_team(db)
    deal_id = _deal(db, team)
    Docs.add_document(
        team.anna, deal_id, DocKind.INVOICE, "СЧ-1", TODAY, Decimal("100000.00"), "RUB"
    )
    P.add_payment(team.anna, deal_id, PaymentKind.ACTUAL, TODAY, Decimal("30000.00"))
    P.add_payment(team.anna, deal_id, "actual", TODAY, Decimal("20000"))

    debt = Debt.deal_debt(team.anna, deal_id)
    assert debt.debt == Decimal("50000.00")
    assert str(debt.debt) == "50000.00"
    assert (debt.invoiced, debt.shipped, debt.paid) == (
        Decimal("100000.00"),
        Decimal("0.00"),
        Decimal("50000.00"),
    )
    assert debt.is_receivable
    card = D.get_deal(team.anna, deal_id)
    assert card.debt == debt


def test_create_move_items_payments_documents_and_debt(db):
    team = make_team(db)
    deal_id = _deal(db, team, started_on=TODAY - timedelta(days=10))
    _pipeline, stages = default_pipeline(db)
    v = D.move_to_stage(team.anna, deal_id, _version(db, deal_id), stages[2])
    laptop = product(db, "Ноутбук", "55555.55")
    mouse = product(db, "Мышь", "333.33")
    v = I.add_item(team.anna, deal_id, v, laptop, 2, discount_pct=3).deal_version
    v = I.add_item(team.anna, deal_id, v, mouse, 3, discount_pct=10).deal_version
    # 2 × 55 555.55 × 0.97 = 107 777.767 → 107 777.77; 3 × 333.33 × 0.9 = 899.991 → 899.99
    assert row(db, Deal, deal_id).amount == Decimal("108677.76")
    v = D.move_to_stage(team.anna, deal_id, v, stages[4])

    plan = P.add_payment(team.anna, deal_id, "planned", TODAY + timedelta(days=5), "50000.00")
    P.add_payment(team.anna, deal_id, "planned", TODAY + timedelta(days=20), "58677.76")
    Docs.add_document(team.anna, deal_id, "invoice", "СЧ-17", TODAY, "108677.76")
    Docs.add_document(team.anna, deal_id, "shipment", "РН-5", TODAY, "60000.00")
    Docs.add_document(team.anna, deal_id, "invoice", "СЧ-16", TODAY, "999.00", state="deleted")
    Docs.add_document(team.anna, deal_id, "invoice_factura", "СФ-5", TODAY, "60000.00")
    assert Debt.deal_debt(team.anna, deal_id).debt == Decimal("108677.76")

    # the planned payment arrives, a little less than planned
    plan_version = P.get_payment(team.anna, plan).version
    P.record_actual(
        team.anna, plan, plan_version, pay_date=TODAY, amount="49999.99", doc_no="ПП-812"
    )
    card = D.get_deal(team.anna, deal_id)
    assert [p.kind for p in card.payments] == [PaymentKind.ACTUAL, PaymentKind.PLANNED]
    assert card.actual_payments[0].amount == Decimal("49999.99")
    assert card.actual_payments[0].doc_no == "ПП-812"
    assert len(card.planned_payments) == 1
    assert [(d.kind, d.doc_no, d.state) for d in card.documents] == [
        (DocKind.INVOICE, "СЧ-17", DocState.POSTED),
        (DocKind.SHIPMENT, "РН-5", DocState.POSTED),
        (DocKind.INVOICE, "СЧ-16", DocState.DELETED),
        (DocKind.INVOICE_FACTURA, "СФ-5", DocState.POSTED),
    ]
    assert card.debt is not None
    assert card.debt.debt == Decimal("58677.77")
    assert card.debt.invoiced == Decimal("108677.76")
    assert card.debt.shipped == Decimal("60000.00")
    assert [i.amount for i in card.items] == [Decimal("107777.77"), Decimal("899.99")]
    assert card.version == v
    assert [d.doc_no for d in Docs.list_documents(team.anna, deal_id)] == [
        "СЧ-17",
        "РН-5",
        "СЧ-16",
        "СФ-5",
    ]
    # shipped more than invoiced: the debt follows the shipment
    Docs.add_document(team.anna, deal_id, "shipment", "РН-6", TODAY, "60000.00")
    assert Debt.deal_debt(team.anna, deal_id).debt == Decimal("70000.01")


def test_a_usd_deal_paid_partly_in_rubles_converts_at_the_payment_dates_rate(db):
    team = make_team(db)
    d1, d2, d3 = (TODAY - timedelta(days=n) for n in (30, 20, 10))
    _rate(db, "USD", d1 - timedelta(days=3), "90.0000")
    _rate(db, "USD", d2 - timedelta(days=1), "92.5000")
    _rate(db, "USD", d3, "95.1234")
    deal_id = _deal(db, team, currency_code="USD")
    Docs.add_document(team.anna, deal_id, "invoice", "INV-1", d1, "1000.00")  # USD
    P.add_payment(team.anna, deal_id, "actual", d1, "300.00")  # USD
    P.add_payment(team.anna, deal_id, "actual", d2, "9250.00", currency_code="RUB")
    P.add_payment(team.anna, deal_id, "actual", d3 + timedelta(days=2), "9512.34", "RUB")

    debt = Debt.deal_debt(team.anna, deal_id)
    # 9 250 ₽ at 92.50 (the rate of the day before d2) = 100 $;
    # 9 512.34 ₽ at 95.1234 (the latest on or before) = 100 $
    assert debt.currency_code == "USD"
    assert debt.paid == Decimal("500.00")
    assert debt.debt == Decimal("500.00")
    # a RUB payment before any USD rate cannot be converted: a clear error
    P.add_payment(team.anna, deal_id, "actual", d1 - timedelta(days=10), "100.00", "RUB")
    with pytest.raises(MissingRate) as err:
        Debt.deal_debt(team.anna, deal_id)
    assert "USD" in str(err.value)
    assert (d1 - timedelta(days=10)).strftime("%d.%m.%Y") in str(err.value)
    assert isinstance(err.value, ServiceError)
    card = D.get_deal(team.anna, deal_id)  # the card still opens, saying why
    assert card.debt is None and card.debt_error == str(err.value)


def test_client_debt_per_currency_and_in_rubles(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    _rate(db, "USD", TODAY - timedelta(days=40), "90.0000")
    _rate(db, "USD", TODAY - timedelta(days=1), "100.0000")
    _rate(db, "EUR", TODAY - timedelta(days=5), "1000.0000", nominal=10)  # 100 ₽ per €
    rub = _deal(db, team, "Рубли", client=client)
    rub2 = _deal(db, team, "Ещё рубли", client=client)
    usd = _deal(db, team, "Доллары", client=client, currency_code="USD")
    eur = _deal(db, team, "Евро", client=client, currency_code="EUR")
    Docs.add_document(team.anna, rub, "invoice", "1", TODAY, "1000.00")
    P.add_payment(team.anna, rub, "actual", TODAY, "400.00")
    P.add_payment(team.anna, rub2, "actual", TODAY, "50.00")  # an advance: −50
    Docs.add_document(team.anna, usd, "shipment", "2", TODAY - timedelta(days=30), "10.00")
    Docs.add_document(team.anna, eur, "invoice", "3", TODAY, "1.50")

    info = Debt.client_debt(team.anna, client)
    assert info.by_currency == {
        "EUR": Decimal("1.50"),
        "RUB": Decimal("550.00"),
        "USD": Decimal("10.00"),
    }
    # 550 ₽ + 10 $ × 100 + 1.50 € × 100 = 1 700 ₽
    assert (info.total, info.base_currency) == (Decimal("1700.00"), "RUB")
    assert info.deals[rub2].debt == Decimal("-50.00") and not info.deals[rub2].is_receivable
    assert info.is_receivable
    with pytest.raises(NotFound):
        Debt.client_debt(team.boris, client)
    with pytest.raises(NotFound):
        Debt.deal_debt(team.boris, rub)


def test_payment_validation_and_rights(db):
    team = make_team(db)
    deal_id = _deal(db, team)
    before = audit_count(db)
    for amount in ("0", "-5", "1.001", "10000000000000.00", "abc", None):
        with pytest.raises(ValidationFailed) as err:
            P.add_payment(team.anna, deal_id, "actual", TODAY, amount)
        assert set(err.value.errors) == {"amount"}, amount
    with pytest.raises(ValidationFailed) as err:
        P.add_payment(team.anna, deal_id, "sometimes", "yesterday", "1.00", source="post")
    assert set(err.value.errors) == {"kind", "pay_date", "source"}
    with pytest.raises(ValidationFailed) as err:
        P.add_payment(team.anna, deal_id, "planned", TODAY, "1.00", currency_code="XYZ")
    assert set(err.value.errors) == {"currency_code"}
    with pytest.raises(ValidationFailed) as err:
        P.add_payment(team.anna, deal_id, "planned", TODAY, "1.00", doc_no="n" * 51)
    assert set(err.value.errors) == {"doc_no"}
    assert count(db, Payment) == 0 and audit_count(db) == before

    biggest = P.add_payment(
        team.anna, deal_id, "actual", TODAY, "9999999999999.99", source=PaymentSource.BANK
    )
    assert row(db, Payment, biggest).amount == Decimal("9999999999999.99")

    planned = P.add_payment(team.anna, deal_id, "planned", TODAY, "10.00", purpose="Аванс")
    info = P.get_payment(team.anna, planned)
    assert (info.currency_code, info.source, info.purpose) == ("RUB", PaymentSource.MANUAL, "Аванс")
    v = P.update_payment(team.anna, planned, info.version, amount="12.50", purpose=None)
    with pytest.raises(Conflict):
        P.update_payment(team.anna, planned, info.version, amount="13.00")
    assert row(db, Payment, planned).amount == Decimal("12.50")
    v = P.record_actual(team.anna, planned, v)
    with pytest.raises(ValidationFailed):
        P.record_actual(team.anna, planned, v)
    # an actual payment is deleted only with the right "delete"
    with pytest.raises(AccessDenied):
        P.delete_payment(team.anna, planned, v)
    assert count(db, Payment) == 2
    with pytest.raises(NotFound):
        P.delete_payment(team.vera, planned, v)
    P.delete_payment(team.head, planned, v)
    assert count(db, Payment) == 1
    # a planned payment is plain editing
    other = P.add_payment(team.anna, deal_id, "planned", TODAY, "5.00")
    P.delete_payment(team.anna, other, P.get_payment(team.anna, other).version)
    assert count(db, Payment) == 1
    # documents need the right to edit
    viewer = without_right(db, "anna", "edit")
    with pytest.raises(AccessDenied):
        Docs.add_document(viewer, deal_id, "invoice", "1", TODAY, "1.00")
    assert Docs.list_documents(viewer, deal_id) == []
    with pytest.raises(NotFound):
        P.list_payments(team.boris, deal_id)
