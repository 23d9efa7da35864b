"""Normalization of text for search columns and duplicate checks.

The same functions are applied when a record is saved and when the user searches, so
every function here is deterministic and total: it accepts any string and never raises.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["company_name", "email_key", "fold", "phone_digits", "search_prefix", "words"]

# Control (Cc), format (Cf: zero-width spaces, soft hyphens, BOM...) and lone surrogates (Cs).
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Quotes that are not Unicode punctuation (the backtick is a modifier symbol).
_EXTRA_QUOTES = frozenset("`´")
_WORD_RE = re.compile(r"[^\W_]+")

_LEGAL_FORMS_SHORT = frozenset(
    {
        "ооо", "оао", "зао", "пао", "ао", "нао", "ип", "чп", "нко", "ано", "фгуп", "гуп",
        "муп", "тоо", "llc", "ltd", "inc", "gmbh",
    }
)  # fmt: skip
# Longest first, so that "закрытое акционерное общество" wins over "акционерное общество".
_LEGAL_FORMS_LONG = tuple(
    tuple(form.split())
    for form in sorted(
        (
            "общество с ограниченной ответственностью",
            "публичное акционерное общество",
            "закрытое акционерное общество",
            "открытое акционерное общество",
            "акционерное общество",
            "индивидуальный предприниматель",
        ),
        key=lambda f: -len(f.split()),
    )
)


def fold(text: str) -> str:
    """Case- and space-insensitive form of ``text`` for generic search columns.

    NFC-normalizes, casefolds, turns "ё" into "е", drops control/format characters and
    collapses any run of whitespace into one space.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    text = unicodedata.normalize("NFC", text).replace("ё", "е")
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())


def _strip_punctuation(text: str) -> str:
    return "".join(
        " " if ch in _EXTRA_QUOTES or unicodedata.category(ch).startswith("P") else ch
        for ch in text
    )


def company_name(text: str) -> str:
    """Duplicate-check key of a company name: «ООО "Ромашка"» -> "ромашка".

    Quotes and punctuation become spaces; legal forms (short and long, Russian and Latin)
    are removed when they stand as separate words. If nothing but legal forms is left,
    the folded name without punctuation is returned instead of an empty key.
    """
    tokens = _strip_punctuation(fold(text)).split()
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        for form in _LEGAL_FORMS_LONG:
            if tuple(tokens[i : i + len(form)]) == form:
                i += len(form)
                break
        else:
            if tokens[i] not in _LEGAL_FORMS_SHORT:
                kept.append(tokens[i])
            i += 1
    return " ".join(kept or tokens)


def phone_digits(text: str) -> str:
    """Digits of a phone number; Russian numbers as 11 digits starting with "7".

    Without a leading "+": 8XXXXXXXXXX -> 7XXXXXXXXXX and a 10-digit number gets "7" in
    front. With a leading "+" the digits are kept as typed (so "+81 3 ..." stays Japanese).
    Other lengths are returned as plain digits; no digits at all gives "".
    """
    if not text:
        return ""
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if text.lstrip().startswith("+"):
        return digits
    if len(digits) == 11 and digits[0] == "8":
        return "7" + digits[1:]
    if len(digits) == 10:
        return "7" + digits
    return digits


def email_key(text: str) -> str:
    """Duplicate-check key of an e-mail address."""
    return (text or "").strip().lower()


def words(text: str) -> list[str]:
    """Search tokens of ``text``: folded runs of letters/digits, unique, in order."""
    return list(dict.fromkeys(_WORD_RE.findall(fold(text))))


def search_prefix(text: str, max_len: int = 100) -> str:
    """What the user typed, as a prefix to match against a folded column.

    Every character (``%``, ``_``, quotes, backslashes...) is plain text: the result is
    meant to be bound as a query parameter. Never raises.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return fold(text)[: max(0, max_len)].rstrip()
