"""Client groups (C5): shared groups everyone sees and personal ones only their owner
sees; adding many clients at once from a filter. Mass activities for a group and their
effect are ``clients.mass_activities``.

Rights: reading needs ``clients``. A personal group is its owner's own list: the owner
creates and changes it with ``clients`` alone. Creating or changing a shared group (and
its members) needs ``edit``. Only companies the user sees are added or counted; another
user's personal group is reported as not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from sqlalchemy import DateTime, Integer, bindparam, cast, delete, exists, func, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.compat import chunks, id_in
from qstui.db.models import (
    AppUser,
    ClientGroup,
    Company,
    GroupMember,
)
from qstui.domain.clients import ClientFilter, GroupInfo
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.clients.filters import group_visible, restriction, visible_ids
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import company_visible

DEFAULT_ACTIVITY_TYPE = "call"
DEFAULT_ACTIVITY_TIME = time(10, 0)


# --- groups ---------------------------------------------------------------------------------


def member_counts(session: Session, ctx: Context, group_ids: Sequence[int]) -> dict[int, int]:
    """Members of each group that the user sees."""
    counts: dict[int, int] = {}
    for chunk in chunks(sorted(set(group_ids))):
        rows = session.execute(
            select(GroupMember.group_id, func.count(GroupMember.company_id))
            .join(Company, Company.id == GroupMember.company_id)
            .where(id_in(GroupMember.group_id, chunk), company_visible(ctx))
            .group_by(GroupMember.group_id)
        )
        counts.update({group_id: int(n) for group_id, n in rows})
    return counts


def group_infos(session: Session, ctx: Context, condition: Any) -> list[GroupInfo]:
    rows = session.execute(
        select(ClientGroup, AppUser.full_name)
        .outerjoin(AppUser, AppUser.id == ClientGroup.owner_id)
        .where(condition, group_visible(ctx))
        .order_by(ClientGroup.is_shared.desc(), ClientGroup.name, ClientGroup.id)
    ).all()
    counts = member_counts(session, ctx, [g.id for g, _owner in rows])
    return [
        GroupInfo(
            id=g.id,
            version=g.version,
            name=g.name,
            is_shared=bool(g.is_shared),
            owner_id=g.owner_id,
            owner=owner,
            description=g.description,
            members=counts.get(g.id, 0),
        )
        for g, owner in rows
    ]


def list_groups(ctx: Context) -> list[GroupInfo]:
    """Shared groups and the user's personal ones, shared first."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        return group_infos(s, ctx, ClientGroup.id.is_not(None))


def get_group(ctx: Context, group_id: int) -> GroupInfo:
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        found = group_infos(s, ctx, ClientGroup.id == group_id)
        if not found:
            raise NotFound(_("Group"), group_id)
        return found[0]


def visible_group(session: Session, ctx: Context, group_id: int) -> ClientGroup:
    group = session.scalar(
        select(ClientGroup).where(ClientGroup.id == group_id, group_visible(ctx))
    )
    if group is None:
        raise NotFound(_("Group"), group_id)
    return group


def _require_change(ctx: Context, group: ClientGroup) -> None:
    """Shared groups need ``edit``; personal ones are changed by their owner."""
    if group.is_shared:
        ctx.require(R.EDIT)


def _group_values(data: dict[str, Any], partial: bool) -> tuple[dict[str, Any], dict[str, str]]:
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "name" in data or not partial:
        name = one_line(data.get("name"))
        if name is None:
            errors["name"] = required()
        elif len(name) > 150:
            errors["name"] = too_long(150)
        else:
            clean["name"] = name
    if "description" in data or not partial:
        text = multi_line(data.get("description"))
        if text is not None and len(text) > 1000:
            errors["description"] = too_long(1000)
        else:
            clean["description"] = text
    if "is_shared" in data:
        clean["is_shared"] = bool(data["is_shared"])
    return clean, errors


def create_group(
    ctx: Context, name: str, shared: bool = False, description: str | None = None
) -> int:
    """A shared group (needs ``edit``) or a personal one of the user."""
    ctx.require(R.CLIENTS)
    if shared:
        ctx.require(R.EDIT)
    clean, errors = _group_values(
        {"name": name, "description": description, "is_shared": shared}, False
    )
    if ctx.user_id is None:
        errors["owner"] = _("Groups are created by a user (use --as LOGIN)")
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        group = ClientGroup(owner_id=ctx.user_id, updated_by=ctx.user_id, **clean)
        record_create(s, ctx, group, "group")
        return group.id


def update_group(ctx: Context, group_id: int, version: int, **changes: Any) -> int:
    """Rename, describe, share or unshare a group; returns the new version."""
    ctx.require(R.CLIENTS)
    unknown = sorted(set(changes) - {"name", "description", "is_shared"})
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})
    clean, errors = _group_values(changes, True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, ClientGroup, group_id) as s:
        group = visible_group(s, ctx, group_id)
        _require_change(ctx, group)
        if clean.get("is_shared") is True:
            ctx.require(R.EDIT)
        if group.version != version:
            raise conflict_for(s, ClientGroup, group_id)
        apply_changes(s, ctx, group, clean, "group")
        return group.version


def delete_group(ctx: Context, group_id: int, version: int) -> None:
    """Delete a group (its members stay clients); a shared one needs ``delete``."""
    ctx.require(R.CLIENTS)
    with writing(ctx, ClientGroup, group_id) as s:
        group = visible_group(s, ctx, group_id)
        if group.is_shared:
            ctx.require(R.EDIT, R.DELETE)
        if group.version != version:
            raise conflict_for(s, ClientGroup, group_id)
        record_delete(s, ctx, group, "group")


def _count(session: Session, group_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(GroupMember.company_id)).where(GroupMember.group_id == group_id)
        )
        or 0
    )


def _note_members(
    session: Session, ctx: Context, group: ClientGroup, before: int, after: int
) -> None:
    if before != after:
        audit.record(
            session, ctx, AuditAction.UPDATE, "group", group.id, {"members": [before, after]}
        )


def add_members(ctx: Context, group_id: int, company_ids: Sequence[int]) -> int:
    """Add visible companies to a group; returns how many were added (members already
    in the group are skipped)."""
    ctx.require(R.CLIENTS)
    wanted = sorted(set(company_ids))
    with writing(ctx) as s:
        group = visible_group(s, ctx, group_id)
        _require_change(ctx, group)
        missing = sorted(set(wanted) - visible_ids(s, ctx, wanted))
        if missing:
            raise NotFound(_("Company"), missing[0])
        present: set[int] = set()
        for chunk in chunks(wanted):
            present.update(
                s.scalars(
                    select(GroupMember.company_id).where(
                        GroupMember.group_id == group_id, id_in(GroupMember.company_id, chunk)
                    )
                )
            )
        now = utcnow()
        rows = [
            {"group_id": group_id, "company_id": c, "added_at": now, "added_by": ctx.user_id}
            for c in wanted
            if c not in present
        ]
        before = _count(s, group_id)
        insert_rows(s.connection(), GroupMember.__table__, rows)
        _note_members(s, ctx, group, before, before + len(rows))
        return len(rows)


def remove_members(ctx: Context, group_id: int, company_ids: Sequence[int]) -> int:
    """Take visible companies out of a group; returns how many were removed."""
    ctx.require(R.CLIENTS)
    wanted = sorted(set(company_ids))
    with writing(ctx) as s:
        group = visible_group(s, ctx, group_id)
        _require_change(ctx, group)
        allowed = sorted(visible_ids(s, ctx, wanted))
        before = _count(s, group_id)
        for chunk in chunks(allowed):
            s.execute(
                delete(GroupMember)
                .where(GroupMember.group_id == group_id, id_in(GroupMember.company_id, chunk))
                .execution_options(synchronize_session=False)
            )
        after = _count(s, group_id)
        _note_members(s, ctx, group, before, after)
        return before - after


def add_filter_to_group(ctx: Context, group_id: int, flt: ClientFilter) -> int:
    """Add every visible company matching ``flt`` to the group in one set-based
    ``INSERT … SELECT`` (no id list, so no ``IN`` limit); returns how many were added."""
    ctx.require(R.CLIENTS)
    with writing(ctx) as s:
        group = visible_group(s, ctx, group_id)
        _require_change(ctx, group)
        return add_filter_in(s, ctx, group, flt)


def add_filter_in(s: Session, ctx: Context, group: ClientGroup, flt: ClientFilter) -> int:
    """``add_filter_to_group`` in the caller's session (the rights are checked)."""
    group_id = group.id
    member = exists(
        select(GroupMember.company_id).where(
            GroupMember.group_id == group_id, GroupMember.company_id == Company.id
        )
    )
    source = (
        restriction(ctx, flt)
        .apply(
            select(
                cast(bindparam(None, group_id, type_=Integer()), Integer),
                Company.id,
                cast(bindparam(None, utcnow(), type_=DateTime()), DateTime),
                cast(bindparam(None, ctx.user_id, type_=Integer()), Integer),
            ).select_from(Company)
        )
        .where(~member)
    )
    before = _count(s, group_id)
    s.execute(
        sql_insert(GroupMember).from_select(
            ["group_id", "company_id", "added_at", "added_by"], source
        )
    )
    after = _count(s, group_id)
    _note_members(s, ctx, group, before, after)
    return after - before
