"""Money typed into the forms (``formatting.parse_money``) and typed back into them
(``deal_forms.money_text``): the way people write it, never rounded silently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qstui import i18n
from qstui.domain import formatting as fmt
from qstui.screens.dialogs.deal_forms import money_text


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("42 509,50", "42509.50"),
        ("42\u00a0509,50 ₽", "42509.50"),
        ("42509.5", "42509.50"),
        ("42,509.50", "42509.50"),
        ("20000,5", "20000.50"),
        ("7", "7.00"),
        ("-5", "-5.00"),  # the sign is the service's to refuse, with its own message
    ],
)
def test_amounts_as_people_type_them(typed, amount):
    assert fmt.parse_money(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed", ["", "  ", "abc", "1,2,3", "1.005", "0,001", "NaN", "Infinity", "1e40"]
)
def test_what_is_not_an_amount_of_kopecks(typed):
    with pytest.raises(ValueError):
        fmt.parse_money(typed)


def test_an_amount_typed_back_reads_back_the_same():
    i18n.set_language("ru")
    try:
        assert money_text(Decimal("42509.5")) == "42\u00a0509,50"
        assert fmt.parse_money(money_text(Decimal("42509.5"))) == Decimal("42509.50")
        assert fmt.debt(Decimal("-7490.50")) == "аванс 7\u00a0490,50\u00a0₽"
        assert fmt.debt(Decimal("42509.50")) == "42\u00a0509,50\u00a0₽"
    finally:
        i18n.set_language("en")
    assert money_text(Decimal("42509.5")) == "42,509.50"
    assert fmt.parse_money("42,509.50") == Decimal("42509.50")
    assert money_text(None) == ""
