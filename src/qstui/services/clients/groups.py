"""Client groups (C5): shared groups everyone sees and personal ones only their owner
sees; adding many clients at once from a filter; mass activities for a group and
their effect.

Rights: reading needs ``clients``. A personal group is its owner's own list: the owner
creates and changes it with ``clients`` alone. Creating or changing a shared group (and
its members) needs ``edit``; planning a mass activity needs ``edit``. Only companies the
user sees are added, counted or planned for; another user's personal group is
reported as not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, bindparam, cast, delete, exists, func, or_, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.compat import chunks, id_in
from qstui.db.models import (
    AppUser,
    ClientGroup,
    Company,
    Deal,
    Event,
    EventType,
    GroupMember,
    MassActivity,
)
from qstui.domain import calendar as cal
from qstui.domain.clients import ActivityEffect, ClientFilter, GroupInfo
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction, DealStatus, EventStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.clients.debt import Converter
from qstui.services.clients.filters import group_visible, restriction, visible_ids
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import company_visible, deal_visible, event_visible

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


# --- mass activities (C5) ---------------------------------------------------------------------


def plan_mass_activity(
    ctx: Context,
    group_id: int,
    title: str,
    planned_on: date,
    event_type_id: int | None = None,
    notes: str | None = None,
    at: time = DEFAULT_ACTIVITY_TIME,
) -> int:
    """Plan a mass activity for a group: a ``mass_activities`` row and a planned
    interaction with every visible member company, for the company's manager (or the
    user, for companies without one). Returns the activity id."""
    ctx.require(R.CLIENTS, R.EDIT)
    errors: dict[str, str] = {}
    title_clean = one_line(title)
    if title_clean is None:
        errors["title"] = required()
    elif len(title_clean) > 200:
        errors["title"] = too_long(200)
    notes_clean = multi_line(notes)
    if notes_clean is not None and len(notes_clean) > 2000:
        errors["notes"] = too_long(2000)
    if not isinstance(planned_on, date):
        errors["planned_on"] = _("Enter a date as DD.MM.YYYY")
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_group(s, ctx, group_id)
        type_cond = (
            EventType.id == event_type_id
            if event_type_id is not None
            else EventType.code == DEFAULT_ACTIVITY_TYPE
        )
        type_id = s.scalar(select(EventType.id).where(type_cond, EventType.is_active.is_(True)))
        if type_id is None:
            raise ValidationFailed({"event_type_id": _("No such interaction type")})
        activity = MassActivity(
            group_id=group_id,
            title=title_clean,
            event_type_id=type_id,
            planned_on=planned_on,
            notes=notes_clean,
            created_by=ctx.user_id,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, activity, "mass_activity")
        members = s.execute(
            select(Company.id, Company.manager_id)
            .join(GroupMember, GroupMember.company_id == Company.id)
            .where(GroupMember.group_id == group_id, company_visible(ctx))
            .order_by(Company.id)
        ).all()
        when = cal.to_utc(datetime.combine(planned_on, at))  # local wall-clock time
        now = utcnow()
        events = [
            {
                "type_id": type_id,
                "status": EventStatus.PLANNED,
                "company_id": company_id,
                "activity_id": activity.id,
                "responsible_id": manager_id or ctx.user_id,
                "subject": title_clean,
                "event_at": when,
                "notes": notes_clean,
                "created_by": ctx.user_id,
                "updated_by": ctx.user_id,
                "created_at": now,
                "updated_at": now,
            }
            for company_id, manager_id in members
            if (manager_id or ctx.user_id) is not None
        ]
        insert_rows(s.connection(), Event.__table__, events)
        made = s.execute(
            select(Event.id, Event.company_id, Event.responsible_id).where(
                Event.activity_id == activity.id
            )
        ).all()
        audit.record_rows(
            s,
            [
                {
                    "logged_at": now,
                    "user_id": ctx.user_id,
                    "action": AuditAction.CREATE,
                    "object_kind": "event",
                    "object_id": event_id,
                    "changes": {
                        "activity_id": [None, activity.id],
                        "company_id": [None, company_id],
                        "responsible_id": [None, responsible],
                        "subject": [None, title_clean],
                    },
                }
                for event_id, company_id, responsible in made
            ],
        )
        return activity.id


def activity_effect(ctx: Context, activity_id: int) -> ActivityEffect:
    """The effect of a mass activity: its interactions (planned / done), and the deals
    of the group's visible companies started on or after its day (or linked to it),
    with the money of those won and still open, in the base currency."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        activity = s.get(MassActivity, activity_id)
        if activity is None:
            raise NotFound(_("Mass activity"), activity_id)
        try:
            visible_group(s, ctx, activity.group_id)
        except NotFound:
            raise NotFound(_("Mass activity"), activity_id) from None
        in_group = select(GroupMember.company_id).where(GroupMember.group_id == activity.group_id)
        companies = s.scalar(
            select(func.count(Company.id)).where(Company.id.in_(in_group), company_visible(ctx))
        )
        statuses = dict(
            s.execute(
                select(Event.status, func.count(Event.id))
                .where(Event.activity_id == activity_id, event_visible(ctx))
                .group_by(Event.status)
            ).all()
        )
        deals = s.execute(
            select(Deal.status, Deal.currency_code, func.count(Deal.id), func.sum(Deal.amount))
            .where(
                or_(
                    Deal.activity_id == activity_id,
                    (Deal.company_id.in_(in_group)) & (Deal.started_on >= activity.planned_on),
                ),
                deal_visible(ctx),
            )
            .group_by(Deal.status, Deal.currency_code)
        ).all()
        conv = Converter.load(s, {row[1] for row in deals})
        count = {status: 0 for status in DealStatus}
        money = {status: Decimal("0") for status in DealStatus}
        for status, code, n, total in deals:
            count[status] += int(n)
            money[status] += conv.convert(Decimal(total or 0), code)
        return ActivityEffect(
            activity_id=activity.id,
            title=activity.title,
            planned_on=activity.planned_on,
            group_id=activity.group_id,
            companies=int(companies or 0),
            events_planned=int(statuses.get(EventStatus.PLANNED, 0)),
            events_done=int(statuses.get(EventStatus.DONE, 0)),
            deals=sum(count.values()),
            deals_won=count[DealStatus.WON],
            won_amount=money[DealStatus.WON].quantize(Decimal("0.01")),
            open_amount=money[DealStatus.OPEN].quantize(Decimal("0.01")),
        )
