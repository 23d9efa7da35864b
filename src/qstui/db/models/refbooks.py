"""Reference books (S1): regions, industries, sources, refusal reasons, units,
currencies and rates, interaction types and results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable
from qstui.db.types import RATE


class Region(Base, Editable):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(3), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class Industry(Base, Editable):
    __tablename__ = "industries"

    name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)


class Source(Base, Editable):
    """How a client heard of us (C2, R4); ``cost`` is the campaign cost, if known."""

    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    cost: Mapped[Decimal | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)


class RefusalReason(Base, Editable):
    __tablename__ = "refusal_reasons"

    name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Unit(Base, Editable):
    """Units of measure with their ОКЕИ codes."""

    __tablename__ = "units"

    okei_code: Mapped[str] = mapped_column(String(4), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    short_name: Mapped[str] = mapped_column(String(20), nullable=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class Currency(Base, Editable):
    """Any number of currencies (E8); exactly one is the base (accounting) currency."""

    __tablename__ = "currencies"

    code: Mapped[str] = mapped_column(String(3), nullable=False, unique=True)
    num_code: Mapped[str] = mapped_column(String(3), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    symbol: Mapped[str] = mapped_column(String(5), nullable=False)
    is_base: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class CurrencyRate(Base, Editable):
    """Units of the base currency for ``nominal`` units of ``currency_code`` on a day."""

    __tablename__ = "currency_rates"
    __table_args__ = (UniqueConstraint("currency_code", "rate_date"),)

    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False
    )
    rate_date: Mapped[date] = mapped_column(nullable=False)
    rate: Mapped[Decimal] = mapped_column(RATE, nullable=False)
    nominal: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class EventType(Base, Editable):
    """Interaction types (K1): call, meeting, letter, demo, other; admins add more."""

    __tablename__ = "event_types"

    code: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(100))
    is_system: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class EventResult(Base, Editable):
    __tablename__ = "event_results"

    name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
