"""Normalization for search columns and duplicate checks (qstui.domain.normalize)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstui.domain import normalize as n
from qstui.domain import validators

# --- fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ФЁДОРОВ", "федоров"),
        ("Фёдоров", "федоров"),
        ("Фе\u0308доров", "федоров"),  # decomposed: е + combining diaeresis
        ("  Иван \t\n  Петров  ", "иван петров"),
        ("Straße", "strasse"),
        ("a\u00a0b\u2003c", "a b c"),  # non-breaking and em spaces
        ("ром\u200bашка\x00\x1b", "ромашка"),  # zero-width space and control characters
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert n.fold(text) == expected


@given(st.text())
def test_fold_is_idempotent(text):
    folded = n.fold(text)
    assert n.fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert "ё" not in folded


# --- company_name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'ООО "Ромашка"',
        "Ромашка, ООО",
        "Ромашка ООО",
        "ООО «Ромашка»",
        'общество с ограниченной ответственностью "Ромашка"',
        "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РОМАШКА»",
        "ООО“Ромашка”",
        "„Ромашка“ ООО.",
        "`Ромашка'",
        "  ромашка  ",
        "ПАО «Ромашка»",
        "Публичное акционерное общество «Ромашка»",
        "Закрытое акционерное общество Ромашка",
        "Открытое акционерное общество Ромашка",
        "Акционерное общество «Ромашка»",
        "АО Ромашка",
        "Ромашка LLC",
        "Ромашка Ltd.",
        "Ромашка GmbH",
        "Ромашка, Inc.",
        "(Ромашка)",
    ],
)
def test_company_name_romashka(text):
    assert n.company_name(text) == "ромашка"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Заосетье", "заосетье"),
        ("АО Заосетье", "заосетье"),
        ("ООО «Заоблачные-Дали»", "заоблачные дали"),
        ("ИП Иванов Иван Иванович", "иванов иван иванович"),
        ("Индивидуальный предприниматель Иванов И. И.", "иванов и и"),
        ("ООО «Ромашка-Плюс»", "ромашка плюс"),
        ("ООО «Ромашка Плюс»", "ромашка плюс"),
        ("ООО «Фёдор и сыновья»", "федор и сыновья"),
        ("ООО «Ромашка & Ко»", "ромашка ко"),  # "&" is punctuation
        ("ООО «Т+»", "т+"),  # symbols are kept, only punctuation goes
        ("ФГУП «Почта»", "почта"),
        ("МУП Водоканал", "водоканал"),
        ("ООО", "ооо"),  # nothing but a legal form: keep it rather than an empty key
        ("", ""),
    ],
)
def test_company_name(text, expected):
    assert n.company_name(text) == expected


@given(st.text())
def test_company_name_is_stable(text):
    key = n.company_name(text)
    assert n.company_name(key) == key


# --- phone_digits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["+7 (495) 123-45-67", "8 495 1234567", "4951234567", "84951234567", "74951234567"]
)
def test_phone_digits_russian(text):
    assert n.phone_digits(text) == "74951234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("нет телефона", ""),
        ("123-45", "12345"),
        ("+81 3 1234 5678", "81312345678"),  # leading "+": 8 is a country code here
        ("+44 20 7946 0958", "442079460958"),
        ("8 800 555 35 35 доб. 12", "8800555353512"),
    ],
)
def test_phone_digits_other(text, expected):
    assert n.phone_digits(text) == expected


@pytest.mark.parametrize("text", ["+7 (495) 123-45-67", "8 495 1234567", "495 123 45 67"])
def test_validator_and_search_key_agree(text):
    assert validators.phone(text) == n.phone_digits(text)


# --- email_key -------------------------------------------------------------------------


def test_email_key():
    assert n.email_key("  Ivan.Petrov@Example.COM ") == "ivan.petrov@example.com"
    assert n.email_key("Иван@ПОЧТА.РФ") == "иван@почта.рф"
    assert n.email_key("") == ""


# --- words -----------------------------------------------------------------------------


def test_words():
    assert n.words('ООО "Ромашка-Плюс" (Москва)') == ["ооо", "ромашка", "плюс", "москва"]
    assert n.words("Фёдор, ФЁДОР и фёдор") == ["федор", "и"]
    assert n.words("snake_case 2024-01-02") == ["snake", "case", "2024", "01", "02"]
    assert n.words("") == []
    assert n.words(" — ... ") == []


@given(st.text())
def test_words_are_folded_and_unique(text):
    tokens = n.words(text)
    assert len(tokens) == len(set(tokens))
    for token in tokens:
        assert token and token == n.fold(token)
        assert all(ch.isalnum() for ch in token)


# --- search_prefix ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["%", "_", "'", "\\", '"', "'; DROP TABLE companies; --", "a" * 10000, "\x00\x1b", "\ud800"],
)
def test_search_prefix_hostile_text_never_raises(text):
    prefix = n.search_prefix(text)
    assert isinstance(prefix, str)
    assert len(prefix) <= 100


def test_search_prefix_keeps_wildcards_as_text():
    assert n.search_prefix(" 100% ") == "100%"
    assert n.search_prefix("A_B") == "a_b"
    assert n.search_prefix("O'Brien") == "o'brien"
    assert n.search_prefix("ФЁДОР  Петров") == "федор петров"
    assert n.search_prefix("\x00\x1b") == ""


def test_search_prefix_truncates():
    assert n.search_prefix("a" * 10000) == "a" * 100
    assert n.search_prefix("abcdef", max_len=3) == "abc"
    assert n.search_prefix("ab cd", max_len=3) == "ab"
    assert n.search_prefix("abc", max_len=0) == ""
    assert n.search_prefix("abc", max_len=-5) == ""


@given(st.text(), st.integers(min_value=-5, max_value=200))
def test_search_prefix_is_a_prefix_of_the_folded_text(text, max_len):
    prefix = n.search_prefix(text, max_len)
    assert len(prefix) <= max(0, max_len)
    assert n.fold(text).startswith(prefix)
