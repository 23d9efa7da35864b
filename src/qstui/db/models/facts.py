"""Narrow copies of the deals, their stage rows and the interactions that the reports
read.

Firebird 3 reads a whole record for every row it counts, and a ``deals`` record is wide
(titles, notes, reasons): decompressing it is most of what a report over 200 000 deals
costs (bench/RESULTS.md, "What a record costs on Firebird"). These tables hold one row
per deal, stage row and interaction, only the columns the reports group and sum, plus the
client's manager, so that "the deals a user sees" is one condition on one table.

They are never written by the application: triggers on ``deals``, ``deal_stages``,
``events`` and ``companies`` keep them on both backends (migration 0021), so every writer — the
services, the demo loader's bulk inserts, the 1C runs — keeps them without a second
write path. One row per deal (not a summary row many deals add to), so only the
transaction that already writes a deal writes its facts: no update conflicts between
managers on Firebird 3. No foreign keys: the triggers delete a fact with its deal, and
a reference book's "where used" must not count them twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base
from qstui.db.types import MONEY, EnumText
from qstui.domain.enums import DealStatus, EventStatus


class DealFact(Base):
    """A deal as the reports see it (``deal_id`` is ``deals.id``)."""

    __tablename__ = "deal_facts"
    __table_args__ = (
        # a client's reassignment rewrites client_manager_id of its deals
        Index(None, "company_id"),
    )

    deal_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    company_id: Mapped[int] = mapped_column(nullable=False)
    client_manager_id: Mapped[int | None] = mapped_column()  # companies.manager_id
    manager_id: Mapped[int | None] = mapped_column()
    pipeline_id: Mapped[int] = mapped_column(nullable=False)
    stage_id: Mapped[int | None] = mapped_column()
    status: Mapped[DealStatus] = mapped_column(EnumText(DealStatus), nullable=False)
    currency_code: Mapped[str] = mapped_column(String(3), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    started_on: Mapped[date] = mapped_column(nullable=False)
    closed_on: Mapped[date | None] = mapped_column()
    planned_end_on: Mapped[date | None] = mapped_column()
    debt: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    billed_on: Mapped[date | None] = mapped_column()
    rate_missing: Mapped[bool] = mapped_column(nullable=False)


class StageFact(Base):
    """A stage row of a deal (``id`` is ``deal_stages.id``) with the deal's columns the
    funnel filters by."""

    __tablename__ = "stage_facts"
    __table_args__ = (
        Index(None, "deal_id"),
        Index(None, "company_id"),
        # the late stage rows of open deals (R3: overdue deals now)
        Index(None, "deal_open", "done_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deal_id: Mapped[int] = mapped_column(nullable=False)
    stage_id: Mapped[int] = mapped_column(nullable=False)
    started_on: Mapped[date | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column()
    done_on: Mapped[date | None] = mapped_column()
    deal_open: Mapped[bool] = mapped_column(nullable=False)
    # the deal's
    company_id: Mapped[int] = mapped_column(nullable=False)
    client_manager_id: Mapped[int | None] = mapped_column()
    manager_id: Mapped[int | None] = mapped_column()
    pipeline_id: Mapped[int] = mapped_column(nullable=False)
    deal_started_on: Mapped[date] = mapped_column(nullable=False)


class EventFact(Base):
    """An interaction (``id`` is ``events.id``) with its client's manager."""

    __tablename__ = "event_facts"
    __table_args__ = (
        Index(None, "company_id"),
        # done interactions of a period per responsible and type (R3)
        Index(None, "status", "event_at", "responsible_id", "type_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    company_id: Mapped[int | None] = mapped_column()
    client_manager_id: Mapped[int | None] = mapped_column()
    responsible_id: Mapped[int] = mapped_column(nullable=False)
    type_id: Mapped[int] = mapped_column(nullable=False)
    status: Mapped[EventStatus] = mapped_column(EnumText(EventStatus), nullable=False)
    event_at: Mapped[datetime] = mapped_column(nullable=False)  # naive UTC
    deal_id: Mapped[int | None] = mapped_column()
    product_id: Mapped[int | None] = mapped_column()  # the product of interest


class EventHour(Base):
    """Done interactions of one responsible and type in one UTC hour (migration 0022):
    ``done`` summed over an hour's rows is the count. On Firebird the triggers add rows
    of ±1 (``fresh``) that ``db.event_hours.merge`` folds into one row per hour later;
    on SQLite there is one row per hour from the start."""

    __tablename__ = "event_hours"
    __table_args__ = (Index(None, "at_hour", "responsible_id", "type_id"), Index(None, "fresh"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_hour: Mapped[datetime] = mapped_column(nullable=False)  # naive UTC, on the hour
    responsible_id: Mapped[int] = mapped_column(nullable=False)
    type_id: Mapped[int] = mapped_column(nullable=False)
    done: Mapped[int] = mapped_column(nullable=False)
    fresh: Mapped[bool] = mapped_column(nullable=False)
