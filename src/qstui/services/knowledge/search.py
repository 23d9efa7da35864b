"""Searching the knowledge base in Russian: by word prefixes, case- and ё-insensitive,
through the word index of "find anything" (``search_words``, rule 7) — the typed text is
read by ``search.find.terms`` and each term is matched with ``compat.prefix_match``
(``STARTING WITH`` on Firebird, a range on SQLite), so «договор» finds «Договоры
поставки» and «ДОГОВОР НА СЕРВИС» but not «переговоры».

An article is found when at least one typed word matches it; hits are ranked by how
many typed words match (more first), then how many of them are in the title or tags
(title over body), then by title (``domain.knowledge.rank_key``)."""

from __future__ import annotations

from sqlalchemy import select

from qstui.db.compat import chunks, id_in, no_index, prefix_match
from qstui.db.models import KbArticle, SearchWord
from qstui.domain.knowledge import ArticleHit, rank_key, terms_in
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.knowledge.articles import rows_query, to_row
from qstui.services.search import index as si
from qstui.services.search.find import terms

TERM_CAP = 2000  # articles read per typed word at most
LIMIT = 100


def search_articles(ctx: Context, text: str, limit: int = LIMIT) -> list[ArticleHit]:
    """The articles matching ``text``, best first; [] when nothing is typed."""
    ctx.require(R.KNOWLEDGE)
    found = terms(text)
    if not found:
        return []
    matched: dict[int, int] = {}
    with ctx.db.reader() as s:
        for term in found:
            ids = s.scalars(
                select(SearchWord.object_id)
                .where(
                    prefix_match(SearchWord.word, term),
                    no_index(SearchWord.object_kind) == si.ARTICLE,
                )
                .distinct()
                .limit(TERM_CAP)
            )
            for article_id in ids:
                matched[article_id] = matched.get(article_id, 0) + 1
        rows = [
            r
            for chunk in chunks(sorted(matched))
            for r in s.execute(rows_query(ctx).where(id_in(KbArticle.id, chunk)))
        ]
    hits = [
        ArticleHit(
            row=to_row(r),
            matched=matched[r.id],
            in_title=terms_in(found, r.title, r.tags),
            of=len(found),
        )
        for r in rows
    ]
    hits.sort(key=rank_key)
    return hits[:limit]
