"""``search_words`` rows of the generated companies, contacts and deals (always made by
``qstui.services.search.index``, like the services do when they save)."""

from __future__ import annotations

from collections.abc import Iterable

from qstui.demo.rows import Batch, text_words
from qstui.demo.world import World
from qstui.services.search import index as si


def make_search_words(world: World, batch: Batch) -> None:
    phones: dict[tuple[str, int], list[str]] = {}
    for row in batch.rows("phones"):
        key = (
            ("contact", row["contact_id"]) if row["contact_id"] else ("company", row["company_id"])
        )
        phones.setdefault(key, []).append(row["number"])
    emails: dict[tuple[str, int], list[str]] = {}
    for row in batch.rows("emails"):
        key = (
            ("contact", row["contact_id"]) if row["contact_id"] else ("company", row["company_id"])
        )
        emails.setdefault(key, []).append(row["address"])

    def reach(kind: str, object_id: int) -> set[str]:
        found: set[str] = set()
        for number in phones.get((kind, object_id), ()):
            found |= si.phone_words(number)
        for address in emails.get((kind, object_id), ()):
            found |= si.email_words(address)
        return found

    def add(kind: str, object_id: int, company_id: int | None, words: Iterable[str]) -> None:
        for row in si.rows(kind, object_id, company_id, words):
            row["id"] = world.ids.take("search_words")
            batch.add("search_words", row)

    for c in batch.rows("companies"):
        words = si.company_words(c["name"], c["full_name"], c["inn"], c["ogrn"])
        add(si.COMPANY, c["id"], c["id"], words | reach("company", c["id"]))
    for p in batch.rows("contacts"):
        # = si.contact_words(last, first, middle): the union of each name's words
        words = text_words(p["last_name"]) | text_words(p["first_name"] or "")
        words |= text_words(p["middle_name"] or "")
        add(si.CONTACT, p["id"], p["company_id"], words | reach("contact", p["id"]))
    for d in batch.rows("deals"):
        add(si.DEAL, d["id"], d["company_id"], text_words(d["title"]))
