"""Users as the services hand them out (U1–U3): plain values, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qstui.domain.calendar import to_local
from qstui.domain.enums import Role
from qstui.domain.errors import ServiceError
from qstui.i18n import _


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


def local_time(moment: datetime | None) -> str:
    """A stored (naive UTC) moment as the user's local ``DD.MM.YYYY HH:MM``; "" for None."""
    return to_local(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


def lock_text(info: UserInfo, now: datetime) -> str:
    """«locked», «until …» (a lock-out by failed logins that has not run out) or ""."""
    if info.is_locked:
        return _("locked")
    if info.locked_until and info.locked_until > now:
        return _("until {when}").format(when=local_time(info.locked_until))
    return ""
