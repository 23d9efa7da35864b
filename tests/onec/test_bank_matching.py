"""The patterns that find invoice and contract numbers in a payment purpose, and the
rules that pick a client and a deal (pure: no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qstui.domain.bank import MatchStatus
from qstui.onec.clientbank.matching import (
    CONTRACT,
    INVOICE,
    ClientRecord,
    DealRecord,
    match_payment,
    numbers_in,
    same_number,
)


@pytest.mark.parametrize(
    ("purpose", "invoices", "contracts"),
    [
        ("Оплата по счету № 345 от 01.03.2026", ["345"], []),
        ("Предоплата сч.345 от 01.03", ["345"], []),
        ("Оплата по сч. № УТ-12 от 2.03.2026", ["ут-12"], []),
        ("Оплата по счёту на оплату покупателю №УТ-345.", ["ут-345"], []),
        ("Оплата по договору 17/2026-П, НДС не облагается", [], ["17/2026-п"]),
        ("Оплата по дог. №5. Без НДС", [], ["5"]),
        ("по договору поставки № 17/2026-П от 01.01.2026", [], ["17/2026-п"]),
        ("по счету-фактуре № 5 от 01.03", [], []),
        ("Перевод на расчетный счет 40702810000000000001", [], []),
        ("счастье 12, договоренность 7", [], []),
        ("Оплата по счету 12 по договору 3", ["12"], ["3"]),
    ],
)
def test_numbers_in_purposes(purpose, invoices, contracts):
    assert numbers_in(purpose, INVOICE) == invoices
    assert numbers_in(purpose, CONTRACT) == contracts


def test_same_number():
    assert same_number("345", "УТ-00000345")
    assert same_number("345", "0000-000345")
    assert same_number("0000-000345", "345")
    assert same_number("17/2026-п", "17/2026-П")
    assert not same_number("45", "345")
    assert not same_number("345", "")


ALFA = ClientRecord(1, "Альфа", "7701000001", "770101001")
BRANCH = ClientRecord(2, "Альфа, филиал", "7701000001", "770102001")


def _deal(deal_id: int, debt: str, *, is_open: bool = True, invoices=(), contract=None):
    return DealRecord(deal_id, 1, f"Сделка {deal_id}", is_open, Decimal(debt), contract, invoices)


def test_the_deal_rules():
    by_inn = {"7701000001": [ALFA]}
    deals = {
        1: [
            _deal(10, "100", invoices=("345",)),
            _deal(11, "50", contract="К-1"),
            _deal(12, "0", is_open=False, invoices=("345",)),
        ]
    }
    match = match_payment("7701000001", "", "по счету 345", by_inn, deals)
    assert (match.status, match.deal_id) == (MatchStatus.MATCHED, 10)  # the one with a debt
    match = match_payment("7701000001", "", "по договору К-1", by_inn, deals)
    assert (match.status, match.deal_id) == (MatchStatus.MATCHED, 11)
    match = match_payment("7701000001", "", "за товар", by_inn, deals)
    assert match.status == MatchStatus.CLIENT and len(match.candidates) == 2
    only = {1: [_deal(10, "100"), _deal(11, "0")]}
    match = match_payment("7701000001", "", "за товар", by_inn, only)
    assert (match.status, match.deal_id) == (MatchStatus.MATCHED, 10)
    two = {1: [_deal(10, "100", invoices=("7",)), _deal(11, "5", invoices=("7",))]}
    match = match_payment("7701000001", "", "сч 7", by_inn, two)
    assert match.status == MatchStatus.AMBIGUOUS
    assert {c.deal_id for c in match.candidates} == {10, 11}


def test_the_client_rules():
    by_inn = {"7701000001": [ALFA, BRANCH]}
    assert match_payment("7701000001", "770102001", "", by_inn, {}).company_id == 2
    assert match_payment("7701000001", "", "", by_inn, {}).status == MatchStatus.AMBIGUOUS
    deals = {1: [_deal(10, "5"), _deal(11, "0", is_open=False)]}
    both = match_payment("7701000001", "", "", by_inn, deals)
    assert [(c.company_id, c.deal_id) for c in both.candidates] == [(1, 10), (2, None)]
    assert match_payment("7709999999", "", "", by_inn, {}).status == MatchStatus.UNMATCHED
    assert match_payment("", "", "", by_inn, {}).status == MatchStatus.UNMATCHED
