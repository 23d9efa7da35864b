"""Which articles a reader sees: the published ones and their own drafts."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true

from qstui.db.models import KbArticle
from qstui.services.context import Context


def article_readable(ctx: Context) -> ColumnElement[bool]:
    if ctx.user_id is None:
        return true()
    return or_(KbArticle.is_published == true(), KbArticle.author_id == ctx.user_id)
