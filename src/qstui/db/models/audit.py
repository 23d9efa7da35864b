"""Audit log (U4) and the word index behind "find anything"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, IdMixin
from qstui.db.types import EnumText, JSONText
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction


class AuditEntry(Base, IdMixin):
    """Who created, changed or deleted what and when, with old and new values."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "object_kind", "object_id"),)

    logged_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(EnumText(AuditAction), nullable=False)
    object_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # {"field": [old, new], …}
    changes: Mapped[Any] = mapped_column(JSONText(None), nullable=True)
    # Where a CLI change was made: the OS account and the computer (None in the TUI)
    os_user: Mapped[str | None] = mapped_column(String(100))
    os_host: Mapped[str | None] = mapped_column(String(255))


class SearchWord(Base, IdMixin):
    """One normalized word of a searchable object (company name, INN, phone, e-mail,
    contact person, deal title, product, article): prefix-matched by the search service."""

    __tablename__ = "search_words"
    __table_args__ = (
        Index(None, "object_kind", "object_id"),
        # a company's words by prefix: the quick filter checks a company in one probe
        Index(None, "company_id", "word"),
    )

    word: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    object_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    company_id: Mapped[int | None] = mapped_column(Integer)  # for visibility
