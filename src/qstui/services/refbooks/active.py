"""A reference-book value newly chosen must be active: a deactivated source, region or
currency stays on the records that have it and is offered to no new one (S1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.i18n import _


def check_active(
    s: Session,
    model: Any,
    column: Any,
    value: Any,
    current: Any,
    key: str,
    errors: dict[str, str],
) -> None:
    """An error under ``key`` when ``value`` (not the record's ``current`` one) is an
    inactive row of ``model``."""
    if value is None or value == current or key in errors:
        return
    if s.scalar(select(model.is_active).where(column == value)) is False:
        errors[key] = _("This value is deactivated in its reference book: choose another")
