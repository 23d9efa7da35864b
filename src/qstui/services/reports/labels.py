"""The shown names of dimension values: one query per dimension for the ids a report
holds (a handful of managers, or the clients of the rows, read an IN list at a time)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.models import (
    AppUser,
    ClientGroup,
    Company,
    Department,
    EventType,
    Industry,
    Pipeline,
    Product,
    ProductGroup,
    RefusalReason,
    Region,
    Source,
    Stage,
)
from qstui.domain.claims import STATUS_NAMES
from qstui.domain.enums import ClaimStatus
from qstui.i18n import _, language

# dimension → (id column, name column)
NAMES: dict[str, tuple[Any, Any]] = {
    "manager": (AppUser.id, AppUser.full_name),
    "department": (Department.id, Department.name),
    "product": (Product.id, Product.name),
    "product_group": (ProductGroup.id, ProductGroup.name),
    "region": (Region.id, Region.name),
    "industry": (Industry.id, Industry.name),
    "client": (Company.id, Company.name),
    "client_group": (ClientGroup.id, ClientGroup.name),
    "source": (Source.id, Source.name),
    "pipeline": (Pipeline.id, Pipeline.name),
    "stage": (Stage.id, Stage.name),
    "lost_stage": (Stage.id, Stage.name),
    "refusal_reason": (RefusalReason.id, RefusalReason.name),
}


def dimension_labels(s: Session, name: str, ids: Iterable[Any]) -> dict[Any, str]:
    """``{id: shown name}`` for the ids of dimension ``name`` (None: «(not set)»)."""
    wanted = {i for i in ids if i is not None}
    found: dict[Any, str] = {None: _("(not set)")}
    if name == "claim_status":
        found.update({v: _(STATUS_NAMES[ClaimStatus(v)]) for v in wanted})
        return found
    if name == "interaction_type":
        english = language() != "ru"
        for chunk in chunks(sorted(wanted)):
            rows = s.execute(
                select(EventType.id, EventType.name, EventType.name_en).where(
                    id_in(EventType.id, chunk)
                )
            )
            found.update({r.id: (r.name_en if english and r.name_en else r.name) for r in rows})
        return found
    key, title = NAMES[name]
    for chunk in chunks(sorted(wanted)):
        found.update({r[0]: r[1] for r in s.execute(select(key, title).where(id_in(key, chunk)))})
    return found
