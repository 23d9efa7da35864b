"""Knowledge-base articles: read by everyone with the module ``knowledge``, written with
``knowledge.edit``. An article has a category, a title, a Markdown body and tags; its
words (title, tags, body) go to ``search_words`` in the same transaction, so the search
(``knowledge.search``) and "find anything" see it at once. Changes are audited and
saved against the version the editor started from (rule 8)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import AppUser, KbArticle, KbCategory
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.knowledge import Article, ArticleRow, join_tags, split_tags
from qstui.domain.normalize import fold
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.knowledge.visibility import article_readable
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)
from qstui.services.search import index as si
from qstui.services.search.store import replace_words

KIND = "kb_article"
TITLE_MAX = 250
TAGS_MAX = 500
BODY_MAX = 200_000
EDITABLE = frozenset({"category_id", "title", "body", "tags"})

_Author = aliased(AppUser)


def _what() -> str:
    return _("Article")


def rows_query(ctx: Context) -> Select[Any]:
    """The articles ``ctx`` reads, with what a list row shows."""
    return (
        select(
            KbArticle.id,
            KbArticle.version,
            KbArticle.category_id,
            KbCategory.name.label("category_name"),
            KbArticle.title,
            KbArticle.tags,
            _Author.full_name.label("author_name"),
            KbArticle.updated_at,
        )
        .join(KbCategory, KbCategory.id == KbArticle.category_id)
        .outerjoin(_Author, _Author.id == KbArticle.author_id)
        .where(article_readable(ctx))
    )


def to_row(r: Any) -> ArticleRow:
    return ArticleRow(
        id=r.id,
        version=r.version,
        category_id=r.category_id,
        category_name=r.category_name,
        title=r.title,
        tags=split_tags(r.tags),
        author_name=r.author_name,
        updated_at=r.updated_at,
    )


def list_articles(ctx: Context, category_id: int | None = None) -> list[ArticleRow]:
    """The articles of a category (or of all), by title."""
    ctx.require(R.KNOWLEDGE)
    query = rows_query(ctx)
    if category_id is not None:
        query = query.where(KbArticle.category_id == category_id)
    query = query.order_by(KbArticle.title_fold, KbArticle.id)
    with ctx.db.reader() as s:
        return [to_row(r) for r in s.execute(query)]


def get_article(ctx: Context, article_id: int) -> Article:
    ctx.require(R.KNOWLEDGE)
    with ctx.db.reader() as s:
        found = s.execute(
            rows_query(ctx).add_columns(KbArticle.body).where(KbArticle.id == article_id)
        ).first()
    if found is None:
        raise NotFound(_what(), article_id)
    return Article(to_row(found), found.body or "")


# --- writing -----------------------------------------------------------------------------


def _validate(s: Session, final: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    """Column values of the ``changed`` fields; one ValidationFailed for all bad ones."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if "title" in changed:
        title = one_line(final.get("title"))
        if not title:
            errors["title"] = required()
        elif len(title) > TITLE_MAX:
            errors["title"] = too_long(TITLE_MAX)
        values["title"] = title
    if "body" in changed:
        body = multi_line(final.get("body")) or ""
        if len(body) > BODY_MAX:
            errors["body"] = too_long(BODY_MAX)
        values["body"] = body
    if "tags" in changed:
        tags = join_tags(split_tags(final.get("tags"))) or None
        if tags is not None and len(tags) > TAGS_MAX:
            errors["tags"] = too_long(TAGS_MAX)
        values["tags"] = tags
    if "category_id" in changed:
        category_id = final.get("category_id")
        if category_id is None:
            errors["category"] = required()
        elif s.scalar(select(KbCategory.id).where(KbCategory.id == category_id)) is None:
            errors["category"] = _("Unknown category «{id}»").format(id=category_id)
        values["category_id"] = category_id
    if errors:
        raise ValidationFailed(errors)
    return values


def _index(s: Session, article: KbArticle) -> None:
    words = si.article_words(article.title, article.body, article.tags)
    replace_words(s, si.ARTICLE, {article.id: (None, words)})


def create_article(
    ctx: Context, category_id: int, title: str, body: str = "", tags: str | None = None
) -> int:
    """A new published article; returns its id."""
    ctx.require(R.KNOWLEDGE, R.KNOWLEDGE_EDIT)
    final = {"category_id": category_id, "title": title, "body": body, "tags": tags}
    with writing(ctx) as s:
        values = _validate(s, final, set(final))
        article = KbArticle(
            **values,
            title_fold=fold(values["title"]),
            author_id=ctx.user_id,
            is_published=True,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, article, KIND)
        _index(s, article)
        return article.id


def update_article(ctx: Context, article_id: int, version: int, **changes: Any) -> int:
    """Change any of ``EDITABLE``; returns the new version. Saved over someone else's
    newer save: ``Conflict`` naming who and when, nothing written."""
    ctx.require(R.KNOWLEDGE, R.KNOWLEDGE_EDIT)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with writing(ctx, KbArticle, article_id) as s:
        article = load_for_update(s, KbArticle, article_id, _what(), version)
        values = _validate(s, dict(changes), set(changes))
        diff = apply_changes(
            s, ctx, article, values, KIND, derived=lambda a: {"title_fold": fold(a.title)}
        )
        if diff.keys() & {"title", "body", "tags"}:
            _index(s, article)
        return article.version


def delete_article(ctx: Context, article_id: int, version: int | None = None) -> None:
    ctx.require(R.KNOWLEDGE, R.KNOWLEDGE_EDIT)
    with writing(ctx, KbArticle, article_id) as s:
        article = load_for_update(s, KbArticle, article_id, _what(), version)
        record_delete(s, ctx, article, KIND)
        replace_words(s, si.ARTICLE, {article_id: (None, ())})
