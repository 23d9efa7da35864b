"""Lock rows (``qstui.db.locks``): one row per kind of write that must not run twice at
once, named after the table it guards (``companies``: registering companies)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base


class WriteLock(Base):
    __tablename__ = "write_locks"

    name: Mapped[str] = mapped_column(String(31), primary_key=True)
