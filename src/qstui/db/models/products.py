"""Products and services, product groups and price lists."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable
from qstui.db.types import PERCENT


class ProductGroup(Base, Editable):
    __tablename__ = "product_groups"

    name: Mapped[str] = mapped_column(String(150), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"))
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class Product(Base, Editable):
    __tablename__ = "products"

    group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    sku: Mapped[str | None] = mapped_column(String(50), index=True)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    name_fold: Mapped[str] = mapped_column(String(250), nullable=False, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    price: Mapped[Decimal] = mapped_column(nullable=False, default=Decimal("0"))
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    vat_pct: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal("20"))
    is_service: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    description: Mapped[str | None] = mapped_column(String(2000))


class PriceList(Base, Editable):
    """A price type (розничная, оптовая, …) with its own prices per product."""

    __tablename__ = "price_lists"

    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    is_default: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class PriceListItem(Base, Editable):
    __tablename__ = "price_list_items"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id"),)

    price_list_id: Mapped[int] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
    )
    price: Mapped[Decimal] = mapped_column(nullable=False)
