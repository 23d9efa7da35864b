"""Mass activities (C5): one plan per client of a group, or of the client list's current
filter, in one transaction; and later their effect.

- ``plan_mass_activity`` plans an interaction with every member of a group the user
  sees: a ``mass_activities`` row and one planned event per company, for the company's
  own manager (the user, for a company without one) or for one chosen manager. The
  events and their audit rows are written in the same transaction, in chunks;
  ``progress(done, total)`` hears after each chunk (a screen shows a progress bar).
- ``plan_for_filter`` first makes a personal group of the companies matching a client
  filter (the activity's effect is measured on it), then plans, in one transaction.
- ``activity_effect`` and ``group_activities``: the clients of the group, those reached
  (a plan of the activity done), plans done and still planned, the deals of the group's
  companies started since the activity's day (or linked to it), the money of those won
  and of those still open, in the base currency.

Rights: planning needs ``clients`` and ``edit``. Only companies the user sees are
planned for; a chosen manager must be one whose clients the user sees (a manager who
sees only their own clients plans for themself), as for a single plan. Reading needs
``clients`` and a visible group; another user's personal group is reported as not found.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
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
from qstui.domain import formatting as fmt
from qstui.domain.clients import ActivityEffect, ClientFilter
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction, DealStatus, EventStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.clients.debt import Converter
from qstui.services.clients.groups import add_filter_in, visible_group
from qstui.services.context import Context
from qstui.services.persist import record_create, writing
from qstui.services.visibility import (
    company_visible,
    deal_visible,
    event_visible,
    owned_by_visible,
)

DEFAULT_ACTIVITY_TYPE = "call"
DEFAULT_ACTIVITY_TIME = time(10, 0)
CHUNK = 500  # events written between two progress reports
Progress = Callable[[int, int], None]


def _checked(title: str, notes: str | None, planned_on: Any) -> tuple[str, str | None]:
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
    assert title_clean is not None
    return title_clean, notes_clean


def _type_id(s: Session, event_type: int | str | None) -> int:
    if isinstance(event_type, int) and not isinstance(event_type, bool):
        cond = EventType.id == event_type
    else:
        cond = EventType.code == (event_type or DEFAULT_ACTIVITY_TYPE)
    type_id = s.scalar(select(EventType.id).where(cond, EventType.is_active.is_(True)))
    if type_id is None:
        raise ValidationFailed({"event_type_id": _("No such interaction type")})
    return int(type_id)


def _check_responsible(s: Session, ctx: Context, responsible_id: int) -> None:
    """A chosen manager: one whose clients the user sees (the user, at least)."""
    if ctx.is_system or responsible_id == ctx.user_id:
        found = s.scalar(select(AppUser.id).where(AppUser.id == responsible_id))
    else:
        found = s.scalar(
            select(AppUser.id).where(
                AppUser.id == responsible_id, owned_by_visible(ctx, AppUser.id)
            )
        )
    if found is None:
        raise ValidationFailed(
            {
                "responsible": _("You may not assign interactions to the user «{id}»").format(
                    id=responsible_id
                )
            }
        )


def plan_mass_activity(
    ctx: Context,
    group_id: int,
    title: str,
    planned_on: date,
    event_type_id: int | str | None = None,
    notes: str | None = None,
    at: time = DEFAULT_ACTIVITY_TIME,
    responsible_id: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Plan a mass activity for a group (see the module doc); returns the activity id.
    ``event_type_id``: a type id or code (default: a call); ``at``: local wall-clock
    time; ``responsible_id``: one manager for every plan (None: each company's own)."""
    ctx.require(R.CLIENTS, R.EDIT)
    title_clean, notes_clean = _checked(title, notes, planned_on)
    with writing(ctx) as s:
        visible_group(s, ctx, group_id)
        return _plan_in(
            s, ctx, group_id, title_clean, planned_on, event_type_id, notes_clean, at,
            responsible_id, progress,
        )  # fmt: skip


def plan_for_filter(
    ctx: Context,
    flt: ClientFilter,
    title: str,
    planned_on: date,
    event_type_id: int | str | None = None,
    notes: str | None = None,
    at: time = DEFAULT_ACTIVITY_TIME,
    responsible_id: int | None = None,
    progress: Progress | None = None,
) -> int:
    """A mass activity for the visible companies matching ``flt``: a personal group of
    them is made first (named after the activity), all in one transaction."""
    ctx.require(R.CLIENTS, R.EDIT)
    title_clean, notes_clean = _checked(title, notes, planned_on)
    if ctx.user_id is None:
        raise ValidationFailed({"owner": _("Groups are created by a user (use --as LOGIN)")})
    with writing(ctx) as s:
        group = ClientGroup(
            name=f"{title_clean[:138]} {fmt.day(planned_on)}",
            is_shared=False,
            description=_("The clients of the mass activity «{title}»").format(title=title_clean)[
                :1000
            ],
            owner_id=ctx.user_id,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, group, "group")
        add_filter_in(s, ctx, group, flt)
        return _plan_in(
            s, ctx, group.id, title_clean, planned_on, event_type_id, notes_clean, at,
            responsible_id, progress,
        )  # fmt: skip


def _plan_in(
    s: Session,
    ctx: Context,
    group_id: int,
    title: str,
    planned_on: date,
    event_type: int | str | None,
    notes: str | None,
    at: time,
    responsible_id: int | None,
    progress: Progress | None,
) -> int:
    type_id = _type_id(s, event_type)
    if responsible_id is not None:
        _check_responsible(s, ctx, responsible_id)
    activity = MassActivity(
        group_id=group_id,
        title=title,
        event_type_id=type_id,
        planned_on=planned_on,
        notes=notes,
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
    rows = [
        {
            "type_id": type_id,
            "status": EventStatus.PLANNED,
            "company_id": company_id,
            "activity_id": activity.id,
            "responsible_id": responsible_id or manager_id or ctx.user_id,
            "subject": title,
            "event_at": when,
            "notes": notes,
            "created_by": ctx.user_id,
            "updated_by": ctx.user_id,
            "created_at": now,
            "updated_at": now,
        }
        for company_id, manager_id in members
        if (responsible_id or manager_id or ctx.user_id) is not None
    ]
    for start in range(0, len(rows), CHUNK):
        insert_rows(s.connection(), Event.__table__, rows[start : start + CHUNK])
        if progress is not None:
            progress(min(start + CHUNK, len(rows)), len(rows))
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
                    "subject": [None, title],
                },
            }
            for event_id, company_id, responsible in made
        ],
    )
    return activity.id


# --- the effect -----------------------------------------------------------------------------


def activity_effect(ctx: Context, activity_id: int) -> ActivityEffect:
    """The effect of one mass activity (see the module doc)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        activity = s.get(MassActivity, activity_id)
        if activity is None:
            raise NotFound(_("Mass activity"), activity_id)
        try:
            visible_group(s, ctx, activity.group_id)
        except NotFound:
            raise NotFound(_("Mass activity"), activity_id) from None
        return _effect(s, ctx, activity)


def group_activities(ctx: Context, group_id: int) -> list[ActivityEffect]:
    """The mass activities of a visible group with their effect, the latest first."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        visible_group(s, ctx, group_id)
        activities = s.scalars(
            select(MassActivity)
            .where(MassActivity.group_id == group_id)
            .order_by(MassActivity.planned_on.desc(), MassActivity.id.desc())
        ).all()
        return [_effect(s, ctx, a) for a in activities]


def _effect(s: Session, ctx: Context, activity: MassActivity) -> ActivityEffect:
    in_group = select(GroupMember.company_id).where(GroupMember.group_id == activity.group_id)
    companies = s.scalar(
        select(func.count(Company.id)).where(Company.id.in_(in_group), company_visible(ctx))
    )
    own = (Event.activity_id == activity.id, event_visible(ctx))
    statuses = dict(
        s.execute(
            select(Event.status, func.count(Event.id)).where(*own).group_by(Event.status)
        ).all()
    )
    reached = s.scalar(
        select(func.count(distinct(Event.company_id))).where(*own, Event.status == EventStatus.DONE)
    )
    deals = s.execute(
        select(Deal.status, Deal.currency_code, func.count(Deal.id), func.sum(Deal.amount))
        .where(
            or_(
                Deal.activity_id == activity.id,
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
        reached=int(reached or 0),
    )
