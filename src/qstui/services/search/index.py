"""The word index behind "find anything" (``search_words``).

Every searchable object contributes its normalized words; a search is a word-prefix
match on that indexed column (ARCHITECTURE rule 7), so it is fast on both backends and
case- and ё-insensitive. The functions here are the only way words are made, used by
the services when they save and by bulk loaders (demo data, imports, 1C sync).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from qstui.domain.normalize import email_key, phone_digits, words

WORD_MAX = 100

COMPANY = "company"
CONTACT = "contact"
DEAL = "deal"
PRODUCT = "product"
ARTICLE = "article"


def text_words(*texts: str | None) -> set[str]:
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(w[:WORD_MAX] for w in words(text))
    return found


def phone_words(number: str | None) -> set[str]:
    """A phone is found by its full digits, without the country code, and by the last
    seven digits (what people remember): "+7 (495) 123-45-67" → 74951234567,
    4951234567, 1234567."""
    digits = phone_digits(number or "")
    if len(digits) < 5:
        return set()
    found = {digits}
    if len(digits) == 11 and digits.startswith("7"):
        found.add(digits[1:])
    if len(digits) > 7:
        found.add(digits[-7:])
    return found


def email_words(address: str | None) -> set[str]:
    key = email_key(address or "")
    if not key:
        return set()
    local, _, domain = key.partition("@")
    return {key[:WORD_MAX], local[:WORD_MAX]} | ({domain[:WORD_MAX]} if domain else set())


def company_words(
    name: str, full_name: str | None = None, inn: str | None = None, ogrn: str | None = None
) -> set[str]:
    found = text_words(name, full_name)
    found.update(code for code in (inn, ogrn) if code)
    return found


def contact_words(
    last_name: str, first_name: str | None = None, middle_name: str | None = None
) -> set[str]:
    return text_words(last_name, first_name, middle_name)


def article_words(title: str, body: str | None = None, tags: str | None = None) -> set[str]:
    """A knowledge-base article is found by the words of its title, tags and body."""
    return text_words(title, tags, body)


def rows(
    object_kind: str, object_id: int, company_id: int | None, found: Iterable[str]
) -> Iterator[dict[str, object]]:
    """``search_words`` rows for one object."""
    for word in sorted(set(found)):
        yield {
            "word": word,
            "object_kind": object_kind,
            "object_id": object_id,
            "company_id": company_id,
        }
