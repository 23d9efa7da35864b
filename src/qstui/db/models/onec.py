"""1C:Enterprise exchange (E1–E9): bases, links between our rows and 1C references,
exchange runs and their log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable, IdMixin
from qstui.db.types import EnumText, JSONText
from qstui.domain.clock import utcnow
from qstui.domain.enums import ExchangeStatus, LogLevel


class OnecBase(Base, Editable):
    """Connection settings of one 1C base (E1); there may be many."""

    __tablename__ = "onec_bases"

    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    base_url: Mapped[str] = mapped_column(String(500), nullable=False)  # …/odata/standard.odata/
    login: Mapped[str | None] = mapped_column(String(100))
    secret: Mapped[str | None] = mapped_column(String(500))  # the 1C user's password
    config_kind: Mapped[str] = mapped_column(String(20), nullable=False, default="bp30")
    # object names of this configuration
    mapping: Mapped[Any] = mapped_column(JSONText(4000), nullable=True)
    org_ref: Mapped[str | None] = mapped_column(String(36))  # our organisation in that base
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    last_sync_at: Mapped[datetime | None] = mapped_column()


class OnecLink(Base, Editable):
    """Our row ``object_kind:object_id`` is the 1C object ``ref_key`` in ``base_id``."""

    __tablename__ = "onec_links"
    __table_args__ = (
        UniqueConstraint("base_id", "object_kind", "object_id"),
        UniqueConstraint("base_id", "object_kind", "ref_key"),
    )

    base_id: Mapped[int] = mapped_column(
        ForeignKey("onec_bases.id", ondelete="CASCADE"), nullable=False
    )
    object_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    ref_key: Mapped[str] = mapped_column(String(36), nullable=False)
    data_version: Mapped[str | None] = mapped_column(String(50))  # 1C's, at the last sync
    object_version: Mapped[int | None] = mapped_column(Integer)  # our row's, at the last sync
    synced_at: Mapped[datetime | None] = mapped_column()


class ExchangeRun(Base, IdMixin):
    """One exchange (or bank file import): what, when, who, how it ended (E9)."""

    __tablename__ = "exchange_runs"

    base_id: Mapped[int | None] = mapped_column(
        ForeignKey("onec_bases.id", ondelete="SET NULL"), index=True
    )
    run_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[ExchangeStatus] = mapped_column(
        EnumText(ExchangeStatus), nullable=False, default=ExchangeStatus.RUNNING
    )
    started_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    n_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_errors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    summary: Mapped[str | None] = mapped_column(String(2000))
    error_text: Mapped[str | None] = mapped_column(String(4000))


class ExchangeLog(Base, IdMixin):
    __tablename__ = "exchange_log"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_runs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    logged_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    level: Mapped[LogLevel] = mapped_column(EnumText(LogLevel), nullable=False)
    object_kind: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    ref_key: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[str] = mapped_column(String(2000), nullable=False)
