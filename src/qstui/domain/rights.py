"""The rights catalogue (U2) and the role presets: plain data.

Rights are stable string ids stored in ``user_rights``. A user's effective rights are
exactly their rows; a role only gives the starting set (``PRESETS``). The services check
them (``services.rights`` names this module for them); ``qstui db init`` stores the
presets (``db.defaults``); the interface hides what a user's rights do not open.
"""

from __future__ import annotations

from qstui.domain.enums import Role
from qstui.i18n import N_

# module access
CLIENTS = "clients"
CALENDAR = "calendar"
DEALS = "deals"
PACKAGES = "packages"
REPORTS = "reports"
KNOWLEDGE = "knowledge"
FUNNEL = "funnel"
ADMIN = "admin"
ONEC = "onec"
# visibility
SEE_OWN = "see.own"
SEE_DEPARTMENT = "see.department"
SEE_ALL = "see.all"
# actions
EDIT = "edit"
DELETE = "delete"
EXPORT = "export"
REASSIGN = "reassign"
ONEC_EXCHANGE = "onec.exchange"
REFBOOKS_EDIT = "refbooks.edit"
KNOWLEDGE_EDIT = "knowledge.edit"
USERS_ADMIN = "users.admin"

CATALOGUE: dict[str, str] = {
    CLIENTS: N_("Module: clients"),
    CALENDAR: N_("Module: calendar"),
    DEALS: N_("Module: deals"),
    PACKAGES: N_("Module: packages of materials"),
    REPORTS: N_("Module: reports"),
    KNOWLEDGE: N_("Module: knowledge base"),
    FUNNEL: N_("Module: sales funnel"),
    ADMIN: N_("Module: administration"),
    ONEC: N_("Module: 1C exchange"),
    SEE_OWN: N_("See own clients"),
    SEE_DEPARTMENT: N_("See the department's clients"),
    SEE_ALL: N_("See all clients"),
    EDIT: N_("Create and edit"),
    DELETE: N_("Delete"),
    EXPORT: N_("Export data"),
    REASSIGN: N_("Reassign clients to another manager"),
    ONEC_EXCHANGE: N_("Run the 1C exchange"),
    REFBOOKS_EDIT: N_("Edit reference books"),
    KNOWLEDGE_EDIT: N_("Write and edit knowledge-base articles"),
    USERS_ADMIN: N_("Administer users and rights"),
}

MODULES = (CLIENTS, CALENDAR, DEALS, PACKAGES, REPORTS, KNOWLEDGE, FUNNEL, ADMIN, ONEC)
VISIBILITY = (SEE_OWN, SEE_DEPARTMENT, SEE_ALL)
ACTIONS = tuple(code for code in CATALOGUE if code not in MODULES + VISIBILITY)

# The areas the catalogue is shown in (``qstui user rights``, the rights checklist).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("module", MODULES),
    ("visibility", VISIBILITY),
    ("action", ACTIONS),
)
GROUP_LABELS = {"module": N_("Module"), "visibility": N_("Visibility"), "action": N_("Action")}

_MANAGER = {CLIENTS, CALENDAR, DEALS, PACKAGES, KNOWLEDGE, FUNNEL, REPORTS, SEE_OWN, EDIT}
_HEAD = (set(MODULES) - {ADMIN}) | {
    SEE_DEPARTMENT,
    EDIT,
    DELETE,
    EXPORT,
    REASSIGN,
    KNOWLEDGE_EDIT,
}

PRESETS: dict[Role, frozenset[str]] = {
    Role.MANAGER: frozenset(_MANAGER),
    Role.HEAD: frozenset(_HEAD),
    Role.ADMIN: frozenset(CATALOGUE),
}


def right_group(code: str) -> str:
    """``module``, ``visibility`` or ``action``."""
    for name, codes in GROUPS:
        if code in codes:
            return name
    return "action"


def unknown_rights(codes: list[str] | tuple[str, ...]) -> list[str]:
    return [code for code in codes if code not in CATALOGUE]
