"""Saving edits safely: optimistic locking (rule 8), audit (U4) and one error for every
kind of write conflict, the same on SQLite and Firebird."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import LargeBinary, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from qstui.db.errors import is_conflict
from qstui.db.locks import hold_row
from qstui.db.models import AppUser
from qstui.domain.enums import AuditAction
from qstui.domain.errors import Conflict, NotFound, ServiceError
from qstui.services import audit
from qstui.services.context import Context

M = TypeVar("M")


def conflict_for(session: Session, model: Any, ident: int) -> Conflict:
    """A Conflict naming who saved the row last and when."""
    table = model.__table__
    row = session.execute(
        select(table.c.updated_by, table.c.updated_at).where(table.c.id == ident)
    ).first()
    who = None
    if row is not None and row.updated_by is not None:
        who = session.scalar(select(AppUser.full_name).where(AppUser.id == row.updated_by))
    return Conflict(who, row.updated_at if row is not None else None)


def fresh_conflict(ctx: Context, model: Any, ident: int) -> Conflict:
    """``conflict_for`` read in a new session (the failed one can't be used any more)."""
    with ctx.db.reader() as session:
        return conflict_for(session, model, ident)


def _conflict_in_chain(error: BaseException | None) -> bool:
    """Whether ``error`` or an exception it was raised from is a write conflict: a
    failed flush leaves the session unusable on Firebird, so the conflict may surface
    wrapped (``InvalidRequestError`` …) by the next use of the session."""
    seen = 0
    while error is not None and seen < 20:
        if is_conflict(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def as_conflict(
    ctx: Context, error: BaseException, model: Any = None, ident: int | None = None
) -> Conflict | None:
    """The ``Conflict`` a failed write means, or None when ``error`` is no write
    conflict. With ``model`` and ``ident`` (the row being changed) it names who saved
    that row last and when, read in a new session (the failed one can't be used)."""
    if isinstance(error, Conflict):
        if error.changed_by is not None or error.changed_at is not None:
            return error
    elif isinstance(error, ServiceError) or not _conflict_in_chain(error):
        return None  # a message of its own (``Busy`` …), whatever caused it
    if model is None or ident is None:
        return error if isinstance(error, Conflict) else Conflict(None, None)
    return fresh_conflict(ctx, model, ident)


@contextmanager
def writing(ctx: Context, model: Any = None, ident: int | None = None) -> Iterator[Session]:
    """A write transaction whose database-level conflicts become ``Conflict``.

    Firebird update conflicts / lock timeouts, SQLite "database is locked" and a stale
    ``version`` (StaleDataError) all end here; the transaction is rolled back whole.
    ``writing(ctx, Model, id)`` for a change of one known row: its Conflict names who
    saved the row last.
    """
    try:
        with ctx.db.transaction() as session:
            yield session
    except Exception as exc:
        conflict = as_conflict(ctx, exc, model, ident)
        if conflict is None or conflict is exc:
            raise
        raise conflict from exc


def load_for_update(
    session: Session, model: type[M], ident: int, what: str, expected_version: int | None
) -> M:
    """The row to change, checked against the version the user started editing from."""
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(what, ident)
    if expected_version is not None and obj.version != expected_version:  # type: ignore[attr-defined]
        raise conflict_for(session, model, ident)
    return obj


def apply_changes(
    session: Session,
    ctx: Context,
    obj: Any,
    values: Mapping[str, Any],
    object_kind: str,
    derived: Callable[[Any], Mapping[str, Any]] | None = None,
) -> dict[str, list[Any]]:
    """Set ``values`` on ``obj`` (plus ``derived(obj)`` columns such as search folds),
    flush with the version check and record the audit entry. Returns the diff."""
    before = {key: getattr(obj, key) for key in values}
    for key, value in values.items():
        setattr(obj, key, value)
    if derived is not None:
        for key, value in derived(obj).items():
            setattr(obj, key, value)
    diff = audit.changes(before, {key: getattr(obj, key) for key in values})
    if not diff:
        return diff
    obj.updated_by = ctx.user_id
    flush_checked(session, ctx, obj)
    audit.record(session, ctx, AuditAction.UPDATE, object_kind, obj.id, diff)
    return diff


def flush_checked(session: Session, ctx: Context, obj: Any) -> None:
    """Flush the changes of ``obj`` (a row with a version); a write conflict becomes a
    ``Conflict`` naming who saved it last. A concurrent derived update of the row (an
    interaction's last contact, a deal's money sums) is waited for, not reported."""
    ident = obj.id  # after a failed flush the object can no longer be read
    try:
        hold_row(session.connection(), type(obj).__table__, ident)
        session.flush()
    except Exception as exc:
        conflict = as_conflict(ctx, exc, type(obj), ident)
        if conflict is None:
            raise
        raise conflict from exc


def new_version(session: Session, ctx: Context, obj: Any) -> int:
    """Give ``obj`` (a row with a version) a new version though none of its own columns
    changed — rows that belong to it did — checked like any save; returns it."""
    obj.updated_by = ctx.user_id
    flag_modified(obj, "updated_by")
    flush_checked(session, ctx, obj)
    return int(obj.version)


def record_create(session: Session, ctx: Context, obj: Any, object_kind: str) -> None:
    """Flush a new row and audit it with all its column values."""
    session.add(obj)
    session.flush()
    values = _audited_values(obj)
    audit.record(session, ctx, AuditAction.CREATE, object_kind, obj.id, audit.changes({}, values))


def record_delete(session: Session, ctx: Context, obj: Any, object_kind: str) -> None:
    values = _audited_values(obj)
    audit.record(session, ctx, AuditAction.DELETE, object_kind, obj.id, audit.changes(values, {}))
    session.delete(obj)
    session.flush()


_UNAUDITED = frozenset({"id", "version", "created_at", "updated_at", "updated_by"})


def created_audit_rows(
    ctx: Context, table: Any, rows: Sequence[Mapping[str, Any]], object_kind: str, now: datetime
) -> list[dict[str, Any]]:
    """The ``audit_log`` rows (for ``audit.record_rows``) of rows created in bulk with
    ``db.bulk.insert_rows``, each with its ``id``: what ``record_create`` records for one."""
    derived = {c.key for c in table.columns if c.info.get("derived")}
    return [
        {
            "logged_at": now,
            "user_id": ctx.user_id,
            "action": AuditAction.CREATE,
            "object_kind": object_kind,
            "object_id": row["id"],
            "changes": audit.changes(
                {}, {k: v for k, v in row.items() if k not in _UNAUDITED and k not in derived}
            )
            or None,
            "os_user": ctx.os_user,
            "os_host": ctx.os_host,
        }
        for row in rows
    ]


def _audited_values(obj: Any) -> dict[str, Any]:
    """The column values an audit entry of a created or deleted row shows: no ids,
    versions, stamps, summary columns (``info["derived"]``: kept by the services from
    other rows, never edited), nor the bytes of a file (a package's material: its name
    and size are columns of their own)."""
    return {
        c.key: getattr(obj, c.key)
        for c in obj.__table__.columns
        if c.key not in _UNAUDITED
        and not c.info.get("derived")
        and not isinstance(c.type, LargeBinary)
    }
