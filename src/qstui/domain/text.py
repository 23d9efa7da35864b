"""Cleaning the text people type, before a service checks and stores it — one rule for
every form, the TUI's and the CLI's alike.

- ``one_line``: a single-line field (a name, a subject, a title). Control and format
  characters (a pasted ESC or NUL, a zero-width space) and line / paragraph separators
  become spaces; outer spaces go; the empty text gives None.
- ``multi_line``: a multi-line field (notes, a description). The same, except that line
  breaks (``\\r\\n`` read as ``\\n``) and tabs are kept.
- ``too_long`` / ``required``: the messages a field shows when it is over its column's
  length or missing; ``length_errors`` checks several cleaned values at once.

Lengths are checked by the services against the columns: Firebird refuses an
over-long string, SQLite would silently keep it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from qstui.i18n import _

__all__ = ["length_errors", "multi_line", "one_line", "required", "too_long"]

# Control (Cc) and format (Cf) characters, and the Unicode line / paragraph separators.
_NOT_IN_ONE_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})
_NOT_IN_LINES = frozenset({"Cc", "Cf"})
_KEPT_IN_LINES = frozenset("\n\t")


def one_line(value: Any) -> str | None:
    """Text of a single-line field: control characters become spaces, outer spaces
    go; empty gives None."""
    if value is None:
        return None
    text = "".join(
        " " if unicodedata.category(ch) in _NOT_IN_ONE_LINE else ch for ch in str(value)
    ).strip()
    return text or None


def multi_line(value: Any) -> str | None:
    """Text of a multi-line field: line breaks and tabs stay, other control characters
    become spaces, outer white space goes; empty gives None."""
    if value is None:
        return None
    text = "".join(
        ch if ch in _KEPT_IN_LINES or unicodedata.category(ch) not in _NOT_IN_LINES else " "
        for ch in str(value).replace("\r\n", "\n")
    ).strip()
    return text or None


def too_long(limit: int) -> str:
    """The message of a text over ``limit`` characters."""
    return _("At most {n} characters").format(n=limit)


def required() -> str:
    """The message of a missing value."""
    return _("Required")


def length_errors(values: Mapping[str, Any], limits: Mapping[str, int]) -> dict[str, str]:
    """``{field: too_long(limit)}`` for each cleaned text of ``values`` over its limit."""
    errors: dict[str, str] = {}
    for key, limit in limits.items():
        value = values.get(key)
        if value is not None and len(value) > limit:
            errors[key] = too_long(limit)
    return errors
