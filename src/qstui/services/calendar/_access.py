"""What the calendar's writing and reading share: the name of the object and the
visible company an event belongs to (no rights checks of its own)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import (
    Company,
)
from qstui.domain.errors import NotFound
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.visibility import (
    company_visible,
)


def what() -> str:
    return _("Interaction")


def visible_company(s: Session, ctx: Context, company_id: int) -> tuple[int, int | None]:
    """(id, manager_id) of a company the user sees; NotFound otherwise."""
    row = s.execute(
        select(Company.id, Company.manager_id).where(Company.id == company_id, company_visible(ctx))
    ).first()
    if row is None:
        raise NotFound(_("Company"), company_id)
    return row.id, row.manager_id
