"""Knowledge-base categories: a flat list in their order (``sort_no``, then name); a new
one is added at the end. A category with articles is never deleted."""

from __future__ import annotations

from sqlalchemy import func, select

from qstui.db.models import KbArticle, KbCategory
from qstui.domain.errors import ValidationFailed
from qstui.domain.knowledge import CategoryRow
from qstui.domain.normalize import fold
from qstui.domain.text import one_line, required, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.knowledge.visibility import article_readable
from qstui.services.persist import load_for_update, record_create, record_delete, writing

KIND = "kb_category"
NAME_MAX = 150


def list_categories(ctx: Context) -> list[CategoryRow]:
    """Every category in order, with how many articles the user sees in each."""
    ctx.require(R.KNOWLEDGE)
    counts = (
        select(KbArticle.category_id, func.count(KbArticle.id).label("n"))
        .where(article_readable(ctx))
        .group_by(KbArticle.category_id)
        .subquery()
    )
    query = (
        select(KbCategory.id, KbCategory.name, KbCategory.parent_id, counts.c.n)
        .outerjoin(counts, counts.c.category_id == KbCategory.id)
        .order_by(KbCategory.sort_no, KbCategory.name, KbCategory.id)
    )
    with ctx.db.reader() as s:
        return [CategoryRow(r.id, r.name, r.parent_id, r.n or 0) for r in s.execute(query)]


def create_category(ctx: Context, name: str) -> int:
    """A new category at the end of the list; its name is unique (case-insensitive)."""
    ctx.require(R.KNOWLEDGE, R.KNOWLEDGE_EDIT)
    text = one_line(name)
    if not text:
        raise ValidationFailed({"name": required()})
    if len(text) > NAME_MAX:
        raise ValidationFailed({"name": too_long(NAME_MAX)})
    with writing(ctx) as s:
        for other in s.scalars(select(KbCategory.name)):
            if fold(other) == fold(text):
                raise ValidationFailed(
                    {"name": _("The category «{name}» exists already").format(name=other)}
                )
        last = s.scalar(select(func.max(KbCategory.sort_no))) or 0
        category = KbCategory(name=text, sort_no=last + 1, updated_by=ctx.user_id)
        record_create(s, ctx, category, KIND)
        return category.id


def delete_category(ctx: Context, category_id: int) -> None:
    """Delete an empty category; one with articles is refused."""
    ctx.require(R.KNOWLEDGE, R.KNOWLEDGE_EDIT)
    with writing(ctx) as s:
        category = load_for_update(s, KbCategory, category_id, _("Category"), None)
        used = s.scalar(
            select(func.count(KbArticle.id)).where(KbArticle.category_id == category_id)
        )
        if used:
            raise ValidationFailed(
                {
                    "category": _(
                        "The category has {n} articles: move or delete them first"
                    ).format(n=used)
                }
            )
        record_delete(s, ctx, category, KIND)
