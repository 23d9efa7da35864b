"""Declarative base, naming convention and the mixins every table uses.

Portability rules (ARCHITECTURE rule 6, FIREBIRD.md): identifiers ≤ 31 characters and
never a reserved word (``tests/db/test_schema_rules.py`` checks every name), strings
always with a length, money ``Numeric(18, 2)``, timestamps naive UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from qstui.db.compat import constraint_name
from qstui.db.types import MONEY
from qstui.domain.clock import utcnow


def _columns(constraint: Any) -> list[str]:
    return [c.name for c in constraint.columns]


def _ix(constraint: Any, table: Any) -> str:
    return constraint_name("ix", table.name, *_columns(constraint))


def _uq(constraint: Any, table: Any) -> str:
    return constraint_name("uq", table.name, *_columns(constraint))


def _fk(constraint: Any, table: Any) -> str:
    return constraint_name("fk", table.name, *[fk.parent.name for fk in constraint.elements])


def _ck(constraint: Any, table: Any) -> str:
    return constraint_name("ck", table.name, constraint.name or "")


def _pk(constraint: Any, table: Any) -> str:
    return constraint_name("pk", table.name)


NAMING_CONVENTION = {
    "ix_name": _ix,
    "uq_name": _uq,
    "fk_name": _fk,
    "ck_name": _ck,
    "pk_name": _pk,
    "ix": "%(ix_name)s",
    "uq": "%(uq_name)s",
    "fk": "%(fk_name)s",
    "ck": "%(ck_name)s",
    "pk": "%(pk_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: MONEY,
        datetime: DateTime(),
        date: Date(),
        bool: Boolean(),
        int: Integer(),
    }


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Editable(IdMixin):
    """A row people edit: optimistic locking (rule 8) and who changed it last.

    ``updated_by`` is the id of the user who saved last (no foreign key: it is only
    used to say "changed by X at T"; the audit log keeps the full history).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(Integer)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
