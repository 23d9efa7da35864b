"""Currencies and rates (E8): the rate on a day, conversion to kopecks, the reference
book, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from deal_support import audit_count, count, make_team
from sqlalchemy import delete, select

from qstui.db.models import Currency, CurrencyRate
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.services.refbooks import currency as C

DAY = date(2026, 3, 10)


def _rate(db, code: str, day: date, rate: str, nominal: int = 1) -> None:
    with db.transaction() as s:
        s.add(CurrencyRate(currency_code=code, rate_date=day, rate=Decimal(rate), nominal=nominal))


@pytest.fixture
def extra_currency(db) -> Iterator[str]:
    """Currencies are a kept reference book: a test's new one is removed afterwards."""
    yield "TST"
    with db.transaction() as s:
        s.execute(delete(CurrencyRate).where(CurrencyRate.currency_code == "TST"))
        s.execute(delete(Currency).where(Currency.code == "TST"))


def test_rate_on_takes_the_latest_rate_on_or_before_the_day(db):
    _rate(db, "USD", DAY - timedelta(days=5), "90.123456")
    _rate(db, "USD", DAY, "91.5000")
    _rate(db, "USD", DAY + timedelta(days=3), "93.0000")
    _rate(db, "KZT", DAY, "18.7654", nominal=100)
    with db.reader() as s:
        assert C.base_currency(s) == "RUB"
        assert C.rate_on(s, "RUB", DAY) == Decimal(1)
        assert C.rate_on(s, "USD", DAY - timedelta(days=1)) == Decimal("90.123456")
        assert C.rate_on(s, "USD", DAY) == Decimal("91.5")
        assert C.rate_on(s, "usd", DAY + timedelta(days=2)) == Decimal("91.5")
        assert C.rate_on(s, "USD", DAY + timedelta(days=30)) == Decimal("93")
        assert C.rate_on(s, "KZT", DAY) == Decimal("0.187654")
        with pytest.raises(C.MissingRate) as err:
            C.rate_on(s, "USD", DAY - timedelta(days=6))
        assert "USD" in str(err.value) and "04.03.2026" in str(err.value)
        with pytest.raises(C.MissingRate):
            C.rate_on(s, "EUR", DAY)
        with pytest.raises(C.UnknownCurrency, match="XXX"):
            C.rate_on(s, "XXX", DAY)


def test_convert_is_quantized_to_kopecks_half_up(db):
    _rate(db, "USD", DAY, "90.0000")
    _rate(db, "EUR", DAY, "100.0000")
    with db.reader() as s:
        assert C.convert(s, Decimal("100"), "USD", "RUB", DAY) == Decimal("9000.00")
        assert C.convert(s, Decimal("100"), "RUB", "USD", DAY) == Decimal("1.11")
        assert C.convert(s, Decimal("0.05"), "RUB", "USD", DAY) == Decimal("0.00")
        assert C.convert(s, Decimal("45"), "RUB", "USD", DAY) == Decimal("0.50")  # 0.5
        assert C.convert(s, Decimal("0.405"), "RUB", "RUB", DAY) == Decimal("0.41")
        assert C.convert(s, Decimal("90"), "USD", "EUR", DAY) == Decimal("81.00")
        assert str(C.convert(s, Decimal("1"), "EUR", "RUB", DAY)) == "100.00"
        # the batch form gives the same answers
        book = C.RateBook.load(s, [("USD", DAY), ("EUR", DAY)])
        assert book.convert(Decimal("100"), "RUB", "USD", DAY) == Decimal("1.11")
        assert book.convert(Decimal("90"), "USD", "EUR", DAY) == Decimal("81.00")
        assert book.rate("USD", DAY + timedelta(days=100)) == Decimal("90")
        with pytest.raises(C.MissingRate):
            book.rate("USD", DAY - timedelta(days=1))


def test_set_rate_adds_or_replaces_and_needs_the_right(db):
    team = make_team(db)
    C.set_rate(team.system, "usd", DAY, Decimal("90.5"))
    C.set_rate(team.system, "USD", DAY, Decimal("91.25"), nominal=1)
    C.set_rate(team.system, "USD", DAY + timedelta(days=1), "92")
    assert count(db, CurrencyRate) == 2
    rates = C.list_rates(team.anna, "USD")
    assert [(r.rate_date, r.rate) for r in rates] == [
        (DAY + timedelta(days=1), Decimal("92")),
        (DAY, Decimal("91.25")),
    ]
    before = audit_count(db)
    with pytest.raises(AccessDenied):
        C.set_rate(team.anna, "USD", DAY, Decimal("1"))
    with pytest.raises(ValidationFailed) as err:
        C.set_rate(team.system, "USD", DAY, Decimal("-1"), nominal=0)
    assert set(err.value.errors) == {"rate", "nominal"}
    with pytest.raises(ValidationFailed):
        C.set_rate(team.system, "USD", DAY, Decimal("1.0000001"))
    with pytest.raises(ValidationFailed):
        C.set_rate(team.system, "RUB", DAY, Decimal("1"))
    with pytest.raises(NotFound):
        C.set_rate(team.system, "QQQ", DAY, Decimal("1"))
    assert audit_count(db) == before
    with db.reader() as s:
        assert C.rate_on(s, "USD", DAY) == Decimal("91.25")


def test_any_number_of_currencies(db, extra_currency):
    team = make_team(db)
    codes = [c.code for c in C.list_currencies(team.anna)]
    assert codes[0] == "RUB" and {"USD", "EUR", "CNY"} <= set(codes)
    with pytest.raises(AccessDenied):
        C.add_currency(team.anna, extra_currency, "999", "Тестовая", "T")
    with pytest.raises(ValidationFailed) as err:
        C.add_currency(team.system, "T1", "99", "", "")
    assert set(err.value.errors) == {"code", "num_code", "name", "symbol"}
    C.add_currency(team.system, extra_currency.lower(), "999", "Тестовая", "T")
    with pytest.raises(ValidationFailed):
        C.add_currency(team.system, extra_currency, "999", "Дубль", "T")
    C.set_rate(team.system, extra_currency, DAY, Decimal("2.5"))
    with db.reader() as s:
        assert s.scalar(select(Currency.name).where(Currency.code == "TST")) == "Тестовая"
        assert C.convert(s, Decimal("10"), "TST", "RUB", DAY) == Decimal("25.00")
