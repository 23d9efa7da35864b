"""Packages of information materials and their sendings by e-mail (P1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from qstui.db.models.base import Base, Editable, IdMixin
from qstui.db.types import EnumText
from qstui.domain.clock import utcnow
from qstui.domain.enums import SendingStatus


class Package(Base, Editable):
    __tablename__ = "packages"

    name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    body: Mapped[str | None] = mapped_column(String(8000))
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Material(Base, Editable):
    """An attachment (price list, brochure, presentation) stored in the database."""

    __tablename__ = "materials"

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    file_name: Mapped[str] = mapped_column(String(250), nullable=False)
    mime_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    notes: Mapped[str | None] = deferred(mapped_column(Text))


class PackageMaterial(Base):
    __tablename__ = "package_materials"

    package_id: Mapped[int] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True
    )
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True
    )
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Sending(Base, IdMixin):
    """One e-mail of a package to one address; shown in the client's history."""

    __tablename__ = "sendings"

    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), nullable=False, index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    email_to: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[SendingStatus] = mapped_column(
        EnumText(SendingStatus), nullable=False, default=SendingStatus.QUEUED
    )
    sent_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    error_text: Mapped[str | None] = mapped_column(String(1000))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
