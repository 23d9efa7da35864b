"""The knowledge base (B1) as the screens and the CLI see it: categories, articles, the
hits of a search, and how hits are ranked (a pure function of the typed terms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from qstui.domain.normalize import fold, words

TAG_SEPARATOR = ","


@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str
    parent_id: int | None
    articles: int  # how many articles the reader sees in it


@dataclass(frozen=True)
class ArticleRow:
    id: int
    version: int
    category_id: int
    category_name: str
    title: str
    tags: tuple[str, ...]
    author_name: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Article:
    row: ArticleRow
    body: str  # Markdown


@dataclass(frozen=True)
class ArticleHit:
    """A found article: ``matched`` typed terms of ``of``, ``in_title`` of them in its
    title or tags (the rest only in the body)."""

    row: ArticleRow
    matched: int
    in_title: int
    of: int


def split_tags(text: str | None) -> tuple[str, ...]:
    """«договор, Поставка ,, договор» -> ("договор", "Поставка"): trimmed, no empties,
    no repeats (case- and ё-insensitive), in the typed order."""
    seen: dict[str, str] = {}
    for part in (text or "").split(TAG_SEPARATOR):
        tag = " ".join(part.split())
        if tag and fold(tag) not in seen:
            seen[fold(tag)] = tag
    return tuple(seen.values())


def join_tags(tags: Iterable[str]) -> str:
    return f"{TAG_SEPARATOR} ".join(tags)


def terms_in(terms: Sequence[str], *texts: str | None) -> int:
    """How many of the (folded) ``terms`` are the prefix of a word of ``texts``."""
    found = {w for text in texts if text for w in words(text)}
    return sum(1 for term in terms if any(w.startswith(term) for w in found))


def rank_key(hit: ArticleHit) -> tuple[int, int, str, int]:
    """More typed words matched first, then more of them in the title, then by title."""
    return (-hit.matched, -hit.in_title, fold(hit.row.title), hit.row.id)
