"""Users as the services hand them out (U1–U3): plain values, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qstui.domain.enums import Role
from qstui.domain.errors import ServiceError


@dataclass(frozen=True)
class UserInfo:
    """A user with their effective rights (codes in catalogue order)."""

    login: str
    full_name: str
    role: Role
    department: str | None
    is_locked: bool
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    rights: tuple[str, ...]
    id: int = 0


class LastAdmin(ServiceError):
    """The change would leave no unlocked user able to administer users. Nothing was written."""
