"""The rights catalogue, as the services name it (``R.CLIENTS``, ``R.PRESETS`` …).

The catalogue and the role presets are plain data defined once in ``qstui.domain.rights``
(the database layer stores the presets at ``db init`` and must not import services);
this module only gives the services and screens their usual name for it. The visibility
predicates are in ``services.visibility``.
"""

from __future__ import annotations

from qstui.domain.rights import (
    ADMIN,
    CALENDAR,
    CATALOGUE,
    CLIENTS,
    DEALS,
    DELETE,
    EDIT,
    EXPORT,
    FUNNEL,
    KNOWLEDGE,
    KNOWLEDGE_EDIT,
    MODULES,
    ONEC,
    ONEC_EXCHANGE,
    PACKAGES,
    PRESETS,
    REASSIGN,
    REFBOOKS_EDIT,
    REPORTS,
    SEE_ALL,
    SEE_DEPARTMENT,
    SEE_OWN,
    USERS_ADMIN,
    VISIBILITY,
    unknown_rights,
)

__all__ = [
    "ADMIN",
    "CALENDAR",
    "CATALOGUE",
    "CLIENTS",
    "DEALS",
    "DELETE",
    "EDIT",
    "EXPORT",
    "FUNNEL",
    "KNOWLEDGE",
    "KNOWLEDGE_EDIT",
    "MODULES",
    "ONEC",
    "ONEC_EXCHANGE",
    "PACKAGES",
    "PRESETS",
    "REASSIGN",
    "REFBOOKS_EDIT",
    "REPORTS",
    "SEE_ALL",
    "SEE_DEPARTMENT",
    "SEE_OWN",
    "USERS_ADMIN",
    "VISIBILITY",
    "unknown_rights",
]
