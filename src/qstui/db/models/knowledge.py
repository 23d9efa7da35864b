"""Knowledge base (B1): categories and articles."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from qstui.db.models.base import Base, Editable


class KbCategory(Base, Editable):
    __tablename__ = "kb_categories"

    name: Mapped[str] = mapped_column(String(150), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kb_categories.id"))
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class KbArticle(Base, Editable):
    __tablename__ = "kb_articles"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("kb_categories.id"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(250), nullable=False)
    title_fold: Mapped[str] = mapped_column(String(250), nullable=False, index=True)
    body: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    # words separated by commas: «договор, поставка»; searched like the title
    tags: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_published: Mapped[bool] = mapped_column(nullable=False, default=True)
