"""Reading the audit log (U4): who created, changed or deleted what, and when.

Writing it is ``services.audit.record`` (every service, in its own transaction); this
module only reads. Reading needs ``R.USERS_ADMIN`` or ``R.ADMIN``: the log shows every
client's data and every user's activity, so it is for administrators.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from qstui.db.models import AppUser, AuditEntry
from qstui.domain.audit import SYSTEM_LOGIN, AuditRecord
from qstui.domain.calendar import day_start
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.access.user_lookup import normalize_login, user_id_by_login
from qstui.services.context import Context

MAX_LIMIT = 10_000
KIND_MAX = 30  # audit_log.object_kind is VARCHAR(30)


def can_read(ctx: Context) -> bool:
    return ctx.has(R.USERS_ADMIN) or ctx.has(R.ADMIN)


def list_audit(
    ctx: Context,
    object_kind: str | None = None,
    object_id: int | None = None,
    user_login: str | None = None,
    since: date | datetime | None = None,
    limit: int = 200,
    until: date | None = None,
    offset: int = 0,
) -> list[AuditRecord]:
    """Audit records, newest first, at most ``limit`` after skipping ``offset`` (a page).

    Filters: ``object_kind`` (``company``, ``deal``, ``user``, ``setting``…) and/or
    ``object_id``; ``user_login`` (``"system"`` for what the admin CLI did as nobody;
    NotFound for an unknown login); ``since``: a date is the start of that local day, a
    datetime is naive UTC; ``until``: up to the end of that local day.
    """
    if not can_read(ctx):
        raise AccessDenied(R.USERS_ADMIN)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            {"limit": _("Enter a whole number from {low} to {high}").format(low=1, high=MAX_LIMIT)}
        )
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationFailed({"offset": _("Enter a whole number, 0 or more")})
    kind = (object_kind or "").strip().lower() or None
    if kind is not None and len(kind) > KIND_MAX:
        return []  # no such kind can be stored
    if object_id is not None and not -(2**31) <= int(object_id) < 2**31:
        return []  # audit_log.object_id is a 32-bit INTEGER
    query = (
        select(AuditEntry, AppUser.login, AppUser.full_name)
        .outerjoin(AppUser, AppUser.id == AuditEntry.user_id)
        .order_by(AuditEntry.logged_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if kind is not None:
        query = query.where(AuditEntry.object_kind == kind)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == int(object_id))
    if since is not None:
        moment = since if isinstance(since, datetime) else day_start(since)
        query = query.where(AuditEntry.logged_at >= moment)
    if until is not None:
        query = query.where(AuditEntry.logged_at < day_start(until + timedelta(days=1)))
    if user_login is not None:
        if normalize_login(user_login) == SYSTEM_LOGIN:
            query = query.where(AuditEntry.user_id.is_(None))
        else:
            query = query.where(AuditEntry.user_id == user_id_by_login(ctx, user_login))
    with ctx.db.reader() as s:
        return [_record(entry, login, name) for entry, login, name in s.execute(query)]


def _record(entry: AuditEntry, login: str | None, name: str | None) -> AuditRecord:
    if entry.user_id is None:
        login, name = SYSTEM_LOGIN, _("system")
    elif login is None:  # the user row is gone
        login, name = f"#{entry.user_id}", f"#{entry.user_id}"
    changes: Any = entry.changes
    return AuditRecord(
        id=entry.id,
        logged_at=entry.logged_at,
        user_login=login,
        user_name=name or login,
        action=entry.action,
        object_kind=entry.object_kind,
        object_id=entry.object_id,
        changes=changes if isinstance(changes, dict) else {},
        os_user=entry.os_user,
        os_host=entry.os_host,
    )
