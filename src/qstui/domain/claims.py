"""Claims — претензии (C7): the status workflow and what the services hand out.

A claim moves ``new → investigating → resolved → closed``. An investigation may be
sent back to ``new`` (wrong department or employee), and a resolved claim may be
reopened (``resolved → investigating``) while the client disputes the resolution.
``closed`` is final. Resolving needs a resolution text; closing records ``closed_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from qstui.domain.enums import ClaimStatus
from qstui.i18n import N_, _

TRANSITIONS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    ClaimStatus.NEW: (ClaimStatus.INVESTIGATING,),
    ClaimStatus.INVESTIGATING: (ClaimStatus.RESOLVED, ClaimStatus.NEW),
    ClaimStatus.RESOLVED: (ClaimStatus.CLOSED, ClaimStatus.INVESTIGATING),
    ClaimStatus.CLOSED: (),
}

STATUS_NAMES: dict[ClaimStatus, str] = {
    ClaimStatus.NEW: N_("new"),
    ClaimStatus.INVESTIGATING: N_("investigating"),
    ClaimStatus.RESOLVED: N_("resolved"),
    ClaimStatus.CLOSED: N_("closed"),
}

OPEN_STATUSES = (ClaimStatus.NEW, ClaimStatus.INVESTIGATING)


def status_name(status: ClaimStatus) -> str:
    """The status in the interface language."""
    return _(STATUS_NAMES[ClaimStatus(status)])


def can_move(old: ClaimStatus, new: ClaimStatus) -> bool:
    return ClaimStatus(new) in TRANSITIONS[ClaimStatus(old)]


@dataclass(frozen=True)
class ClaimRow:
    id: int
    version: int
    company_id: int
    company_name: str
    subject: str
    status: ClaimStatus
    department_id: int | None
    department_name: str | None
    employee_id: int | None
    employee_name: str | None
    registered_at: datetime  # UTC
    plan_due: date | None
    closed_at: datetime | None
    overdue: bool  # still new/investigating after plan_due

    @property
    def status_name(self) -> str:
        return status_name(self.status)


@dataclass(frozen=True)
class ClaimChangeRow:
    changed_at: datetime  # UTC
    changed_by_id: int | None
    changed_by_name: str | None
    old_status: ClaimStatus | None
    new_status: ClaimStatus
    note: str | None


@dataclass(frozen=True)
class ClaimCard:
    row: ClaimRow
    description: str | None
    event_id: int | None  # the interaction the claim came from
    event_subject: str | None
    event_at: datetime | None
    plan_text: str | None
    resolution: str | None
    registered_by_name: str | None
    history: tuple[ClaimChangeRow, ...]
    next_statuses: tuple[ClaimStatus, ...]
    kb_article_id: int | None = None  # the knowledge-base article that answers it
    kb_article_title: str | None = None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def version(self) -> int:
        return self.row.version

    @property
    def status(self) -> ClaimStatus:
        return self.row.status


@dataclass(frozen=True)
class CountBy:
    """A count of claims for one department, employee or status (``id`` None: not set)."""

    id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class ClaimsReport:
    """Claims registered in the local days ``date_from``..``date_to``."""

    date_from: date
    date_to: date
    total: int
    by_status: dict[str, int]  # status value → count, every status listed
    by_department: tuple[CountBy, ...]
    by_employee: tuple[CountBy, ...]
    resolved: int  # of them, how many are resolved or closed now
    avg_days_to_resolve: Decimal | None  # from registration to the (last) resolution
