"""Interaction types and results (K1, S1): the reference books behind every event.

Everyone may list them; creating, editing and deactivating need ``refbooks.edit``. The
five system types (call, meeting, letter, demo, other) cannot be deleted and keep their
code; any type or result that events use cannot be deleted either (deactivate it: it
stays on the old events and is no longer offered for new ones).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui.db.models import Event, EventResult, EventType
from qstui.domain.calendar import EventResultInfo, EventTypeInfo
from qstui.domain.errors import ValidationFailed
from qstui.domain.text import one_line, too_long
from qstui.i18n import _, language
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def type_label(name: str, name_en: str | None) -> str:
    """The type's name in the interface language."""
    return name_en if language() == "en" and name_en else name


def _type_info(t: EventType) -> EventTypeInfo:
    return EventTypeInfo(
        id=t.id,
        version=t.version,
        code=t.code,
        name=t.name,
        name_en=t.name_en,
        is_system=bool(t.is_system),
        is_active=bool(t.is_active),
        sort_no=t.sort_no,
        label=type_label(t.name, t.name_en),
    )


def _result_info(r: EventResult) -> EventResultInfo:
    return EventResultInfo(id=r.id, version=r.version, name=r.name, is_active=bool(r.is_active))


# --- interaction types -------------------------------------------------------------------


def list_event_types(ctx: Context, include_inactive: bool = False) -> list[EventTypeInfo]:
    """The types in their order (for every user: forms and filters need them)."""
    with ctx.db.reader() as s:
        query = select(EventType).order_by(EventType.sort_no, EventType.id)
        if not include_inactive:
            query = query.where(EventType.is_active.is_(True))
        return [_type_info(t) for t in s.scalars(query)]


def _type_errors(s: Session, values: dict[str, Any], own_id: int | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "code" in values:
        code = values["code"]
        if not CODE_RE.match(code):
            errors["code"] = _(
                "A code is 1–30 lowercase Latin letters, digits or underscores, "
                "starting with a letter"
            )
        else:
            taken = s.scalar(select(EventType.id).where(EventType.code == code))
            if taken is not None and taken != own_id:
                errors["code"] = _("The code {code} is taken").format(code=code)
    if "name" in values:
        name = values["name"]
        if not name:
            errors["name"] = _("A name is required")
        elif len(name) > 100:
            errors["name"] = too_long(100)
    if values.get("name_en") and len(values["name_en"]) > 100:
        errors["name_en"] = too_long(100)
    return errors


def create_event_type(
    ctx: Context, code: str, name: str, name_en: str | None = None, sort_no: int | None = None
) -> int:
    """A new (non-system) interaction type; returns its id."""
    ctx.require(R.REFBOOKS_EDIT)
    values: dict[str, Any] = {
        "code": (one_line(code) or "").lower(),
        "name": one_line(name) or "",
        "name_en": one_line(name_en),
    }
    with writing(ctx) as s:
        errors = _type_errors(s, values)
        if errors:
            raise ValidationFailed(errors)
        if sort_no is None:
            sort_no = (s.scalar(select(func.max(EventType.sort_no))) or 0) + 1
        row = EventType(**values, sort_no=sort_no, is_system=False, updated_by=ctx.user_id)
        record_create(s, ctx, row, "event_type")
        return row.id


def update_event_type(ctx: Context, type_id: int, version: int, **changes: Any) -> int:
    """Change ``code`` (not of a system type), ``name``, ``name_en``, ``sort_no`` or
    ``is_active``; returns the new version."""
    ctx.require(R.REFBOOKS_EDIT)
    allowed = {"code", "name", "name_en", "sort_no", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values = dict(changes)
    for key in ("code", "name", "name_en"):
        if key in values and values[key] is not None:
            values[key] = one_line(values[key]) or ""
    if "code" in values:
        values["code"] = (values["code"] or "").lower()
    if "name_en" in values:
        values["name_en"] = values["name_en"] or None
    if "name" in values:
        values["name"] = values["name"] or ""
    with writing(ctx) as s:
        row = load_for_update(s, EventType, type_id, _("Interaction type"), version)
        errors = _type_errors(s, values, own_id=row.id)
        if row.is_system and "code" in values and values["code"] != row.code:
            errors["code"] = _("The code of a system type cannot change")
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, row, values, "event_type")
        return row.version


def deactivate_event_type(ctx: Context, type_id: int, version: int) -> int:
    """No longer offered for new events (old events keep it); returns the new version."""
    return update_event_type(ctx, type_id, version, is_active=False)


def delete_event_type(ctx: Context, type_id: int, version: int | None = None) -> None:
    """Delete a type no event uses; system types are never deleted."""
    ctx.require(R.REFBOOKS_EDIT)
    with writing(ctx) as s:
        row = load_for_update(s, EventType, type_id, _("Interaction type"), version)
        if row.is_system:
            raise ValidationFailed(
                {"type": _("A system interaction type cannot be deleted; deactivate it instead")}
            )
        if s.scalar(select(Event.id).where(Event.type_id == row.id).limit(1)) is not None:
            raise ValidationFailed(
                {"type": _("Interactions of this type exist; deactivate it instead")}
            )
        record_delete(s, ctx, row, "event_type")


# --- results -----------------------------------------------------------------------------


def list_event_results(ctx: Context, include_inactive: bool = False) -> list[EventResultInfo]:
    with ctx.db.reader() as s:
        query = select(EventResult).order_by(EventResult.id)
        if not include_inactive:
            query = query.where(EventResult.is_active.is_(True))
        return [_result_info(r) for r in s.scalars(query)]


def _result_errors(s: Session, name: str, own_id: int | None = None) -> dict[str, str]:
    if not name:
        return {"name": _("A name is required")}
    if len(name) > 150:
        return {"name": too_long(150)}
    taken = s.scalar(select(EventResult.id).where(EventResult.name == name))
    if taken is not None and taken != own_id:
        return {"name": _("The name «{name}» is taken").format(name=name)}
    return {}


def create_event_result(ctx: Context, name: str) -> int:
    ctx.require(R.REFBOOKS_EDIT)
    name = one_line(name) or ""
    with writing(ctx) as s:
        errors = _result_errors(s, name)
        if errors:
            raise ValidationFailed(errors)
        row = EventResult(name=name, updated_by=ctx.user_id)
        record_create(s, ctx, row, "event_result")
        return row.id


def update_event_result(
    ctx: Context,
    result_id: int,
    version: int,
    name: str | None = None,
    is_active: bool | None = None,
) -> int:
    ctx.require(R.REFBOOKS_EDIT)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = one_line(name) or ""
    if is_active is not None:
        values["is_active"] = bool(is_active)
    with writing(ctx) as s:
        row = load_for_update(s, EventResult, result_id, _("Interaction result"), version)
        if "name" in values:
            errors = _result_errors(s, values["name"], own_id=row.id)
            if errors:
                raise ValidationFailed(errors)
        apply_changes(s, ctx, row, values, "event_result")
        return row.version


def deactivate_event_result(ctx: Context, result_id: int, version: int) -> int:
    return update_event_result(ctx, result_id, version, is_active=False)


def delete_event_result(ctx: Context, result_id: int, version: int | None = None) -> None:
    ctx.require(R.REFBOOKS_EDIT)
    with writing(ctx) as s:
        row = load_for_update(s, EventResult, result_id, _("Interaction result"), version)
        if s.scalar(select(Event.id).where(Event.result_id == row.id).limit(1)) is not None:
            raise ValidationFailed(
                {"result": _("Interactions with this result exist; deactivate it instead")}
            )
        record_delete(s, ctx, row, "event_result")
