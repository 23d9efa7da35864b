"""What "find anything" hands out: one typed hit per found object."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HitKind(StrEnum):
    """The kinds of objects the search finds, in the order hits are listed."""

    COMPANY = "company"
    CONTACT = "contact"
    DEAL = "deal"
    PRODUCT = "product"
    ARTICLE = "article"


KIND_ORDER: tuple[HitKind, ...] = tuple(HitKind)


@dataclass(frozen=True)
class SearchHit:
    """A found object: open it by ``kind`` and ``id``.

    ``company_id`` is the company the object belongs to (a company's own id; None for
    products and articles). ``exact`` says that a typed word equals a whole word of the
    object (such hits come first).
    """

    kind: HitKind
    id: int
    title: str
    subtitle: str
    company_id: int | None = None
    exact: bool = False
