"""Interactions and plans (K1–K4): calls, meetings, letters, demos…"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable
from qstui.db.types import EnumText
from qstui.domain.enums import EventStatus


class Event(Base, Editable):
    """An interaction with a client: planned (``event_at`` in the future, with an
    optional reminder) or done (``done_at`` set, with a result)."""

    __tablename__ = "events"
    __table_args__ = (
        # a manager's events by time; with the id, the first events of a day come in
        # (event_at, id) order straight from the index (Firebird sorts otherwise)
        Index(None, "responsible_id", "event_at", "id"),
        # a manager's plans (planned, by time): today's and overdue ones without
        # reading the whole history of a busy calendar
        # a manager's plans in time order (Today's overdue ones): with the id, Firebird
        # walks the index and stops after the first rows instead of sorting them all
        Index(None, "responsible_id", "status", "event_at", "id"),
        Index(None, "company_id", "event_at"),
        Index(None, "status", "event_at"),
    )

    type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id"), nullable=False)
    status: Mapped[EventStatus] = mapped_column(
        EnumText(EventStatus), nullable=False, default=EventStatus.PLANNED
    )
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))  # of interest
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("mass_activities.id", ondelete="SET NULL")
    )
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    event_at: Mapped[datetime] = mapped_column(nullable=False)  # planned or held at
    duration_min: Mapped[int | None] = mapped_column(Integer)
    remind_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
    result_id: Mapped[int | None] = mapped_column(ForeignKey("event_results.id"))
    result_text: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(String(4000))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
