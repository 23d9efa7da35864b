"""Audit log (U4): every create, update and delete a service makes is recorded here
in the same transaction — who, when, which object, old and new values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.grants import AUDIT_PROCEDURE
from qstui.db.models import AuditEntry
from qstui.db.types import EnumText, JSONText
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction
from qstui.services.context import Context

_SECRET_FIELDS = frozenset({"pass_hash", "secret"})


def plain(value: Any) -> Any:
    """A JSON-friendly form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs; secrets masked."""
    result: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = plain(old.get(key)), plain(new.get(key))
        if before != after:
            result[key] = ["***", "***"] if key in _SECRET_FIELDS else [before, after]
    return result


def record(
    session: Session,
    ctx: Context,
    action: AuditAction,
    object_kind: str,
    object_id: int,
    diff: Mapping[str, list[Any]] | None = None,
) -> None:
    record_as(session, ctx.user_id, action, object_kind, object_id, diff, ctx.os_user, ctx.os_host)


def record_as(
    session: Session,
    user_id: int | None,
    action: AuditAction,
    object_kind: str,
    object_id: int,
    diff: Mapping[str, list[Any]] | None = None,
    os_user: str | None = None,
    os_host: str | None = None,
) -> None:
    """``record`` without a context: a login attempt has no user who proved who they are
    yet; ``user_id`` is the account it was made in the name of (None: unknown);
    ``os_user``/``os_host``: who ran the CLI that made the change, and where.

    On a connection with a user's own database login (``Database.per_user``) the row is
    written by the procedure ``QSTUI_AUDIT`` in the name of the connected login: the
    login's role may not write ``audit_log`` itself (``db.grants``)."""
    if session.info.get("per_user"):
        _record_through_procedure(session, action, object_kind, object_id, diff, os_user, os_host)
        return
    session.add(
        AuditEntry(
            user_id=user_id,
            action=action,
            object_kind=object_kind,
            object_id=object_id,
            changes=dict(diff) if diff else None,
            os_user=os_user,
            os_host=os_host,
        )
    )


def record_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many audit rows at once (an import, a mass activity), as ``audit_log`` column
    values: one batched insert, or on a user's own database login the procedure for
    each row (in the name of the connected login)."""
    if not rows:
        return
    if session.info.get("per_user"):
        session.flush()
        session.execute(_PROCEDURE_CALL, [_procedure_values(row) for row in rows])
        return
    insert_rows(session.connection(), AuditEntry.__table__, rows)


_PROCEDURE_CALL = text(
    f"EXECUTE PROCEDURE {AUDIT_PROCEDURE}"
    "(:logged_at, :action, :object_kind, :object_id, :changes, :os_user, :os_host)"
).bindparams(
    bindparam("action", type_=EnumText(AuditAction)),
    bindparam("changes", type_=JSONText(None)),
)


def _procedure_values(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "logged_at": row.get("logged_at") or utcnow(),
        "action": row["action"],
        "object_kind": row["object_kind"],
        "object_id": row["object_id"],
        "changes": row.get("changes"),
        "os_user": row.get("os_user"),
        "os_host": row.get("os_host"),
    }


def _record_through_procedure(
    session: Session,
    action: AuditAction,
    object_kind: str,
    object_id: int,
    diff: Mapping[str, list[Any]] | None,
    os_user: str | None,
    os_host: str | None,
) -> None:
    session.flush()  # the rows the audit row is about come first, as with session.add
    session.execute(
        _PROCEDURE_CALL,
        _procedure_values(
            {
                "action": action,
                "object_kind": object_kind,
                "object_id": object_id,
                "changes": dict(diff) if diff else None,
                "os_user": os_user,
                "os_host": os_host,
            }
        ),
    )
