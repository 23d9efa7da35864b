"""Cleaning typed text and its messages (qstui.domain.text), and people's names
(qstui.domain.names): the one definition every service and screen uses."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstui import i18n
from qstui.domain.names import person_name, short_name
from qstui.domain.text import length_errors, multi_line, one_line, required, too_long

# --- one_line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Ромашка  ", "Ромашка"),
        ("Ром\x1b[31mашка", "Ром [31mашка"),  # a pasted escape sequence loses its ESC
        ("Ромашка\x00", "Ромашка"),
        ("Ром\u200bашка", "Ром ашка"),  # a zero-width space (Cf)
        ("одна\nдве\r\nтри\u2028четыре", "одна две  три четыре"),  # no line breaks
        ("a\tb", "a b"),
        ("", None),
        ("  \x00\n\t ", None),
        (None, None),
        (42, "42"),
    ],
)
def test_one_line(value, expected):
    assert one_line(value) == expected


@given(st.text())
def test_one_line_keeps_no_control_character_and_no_outer_space(text):
    clean = one_line(text)
    if clean is None:
        return
    assert clean == clean.strip() and clean
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in clean)
    assert one_line(clean) == clean


# --- multi_line ------------------------------------------------------------------------


def test_multi_line_keeps_the_lines_and_tabs():
    assert multi_line("  первая\r\nвторая\n\tтретья  \n") == "первая\nвторая\n\tтретья"


def test_multi_line_turns_other_control_characters_into_spaces():
    assert multi_line("a\x1bb\x00c\u200bd\re") == "a b c d e"
    assert multi_line("\n \x00 \n") is None
    assert multi_line(None) is None


@given(st.text())
def test_multi_line_keeps_no_control_character_but_line_breaks_and_tabs(text):
    clean = multi_line(text)
    if clean is None:
        return
    assert clean == clean.strip()
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in clean if ch not in "\n\t")
    assert multi_line(clean) == clean


# --- the messages ------------------------------------------------------------------------


def test_length_messages_in_english_and_russian():
    assert too_long(250) == "At most 250 characters"
    assert required() == "Required"
    i18n.set_language("ru")
    assert too_long(250) == "Не более 250 символов"
    assert required() == "Обязательное поле"


def test_length_errors_name_each_value_over_its_limit():
    values = {"title": "x" * 11, "notes": "y" * 10, "other": "z" * 99, "empty": None}
    limits = {"title": 10, "notes": 10, "empty": 1, "missing": 1}
    assert length_errors(values, limits) == {"title": "At most 10 characters"}


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Иванов", "Иван", "Петрович"), "Иванов Иван Петрович"),
        (("Иванов", None, "Петрович"), "Иванов Петрович"),
        (("Иванов", "Иван"), "Иванов Иван"),
        (("Иванов", "", None), "Иванов"),
        ((None, None, None), None),
        (("", ""), None),
    ],
)
def test_person_name(parts, expected):
    assert person_name(*parts) == expected


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Иванов Иван Петрович", "Иванов И. П."),
        ("Кузнецова  Ольга ", "Кузнецова О."),
        ("Admin", "Admin"),
        ("  Admin  ", "Admin"),
        ("", ""),
        ("   ", ""),  # the clients list's copy failed on this
        (None, ""),
    ],
)
def test_short_name(full, expected):
    assert short_name(full) == expected
