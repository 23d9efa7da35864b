"""Reading the calendar (K1–K3): the rows of events, one event's card, the day, week
and month of a manager, the overdue plans, a client's history and plans, the reminders
that are due, the managers whose calendar one may open.

Views are range queries on ``event_at`` (the ``(responsible_id, event_at, id)``
index); local days become UTC ranges with ``qstui.domain.calendar``. Whatever a period
holds, a view reads a bounded amount (``_days``): the month grid gets counts per day,
the day and the week the first ``per_day`` events of each day plus the true counts of
a crowded day. Everything that depends on the clock takes ``now`` (naive
UTC, default ``utcnow()``). Reads of the calendar need ``calendar``, a client's history
``clients``; every query is filtered by ``event_visible`` (or, for one checked user's
calendar, by an equivalent condition: ``_scope``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import AppUser, Event, Product
from qstui.domain import calendar as cal
from qstui.domain.calendar import EventCard, EventRow, ManagerRef, PeriodView
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.domain.paging import Page
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.calendar._access import visible_company, what
from qstui.services.calendar._days import read_days
from qstui.services.calendar._rows import columns_query, fetch, picked_query
from qstui.services.context import Context
from qstui.services.visibility import (
    event_visible,
    owned_by_visible,
    sees_all,
)


def _require_any(ctx: Context, *rights: str) -> None:
    if not any(ctx.has(right) for right in rights):
        ctx.require(rights[0])


def check_user_visible(s: Session, ctx: Context, user_id: int) -> None:
    """NotFound for an unknown user, AccessDenied for one whose calendar ``ctx`` may
    not open (own calendar: ``see.own``; colleagues: ``see.department`` / ``see.all``)."""
    if s.scalar(select(AppUser.id).where(AppUser.id == user_id)) is None:
        raise NotFound(_("User"), user_id)
    if ctx.is_system or sees_all(ctx):
        return
    visible = s.scalar(
        select(AppUser.id).where(AppUser.id == user_id, owned_by_visible(ctx, AppUser.id))
    )
    if visible is None:
        raise AccessDenied(R.SEE_DEPARTMENT, _("You may not open the calendar of another manager"))


def _whose(s: Session, ctx: Context, user_id: int | None) -> int | None:
    """The user a view is about: ``user_id`` (checked), or the current user; None (all
    visible managers) only for the system context."""
    if user_id is None:
        if ctx.is_system:
            return None
        user_id = ctx.user_id
    assert user_id is not None
    check_user_visible(s, ctx, user_id)
    return user_id


# --- reading -----------------------------------------------------------------------------


def _scope(ctx: Context, whose: int | None) -> list[Any]:
    """The visibility condition of a calendar view of ``whose`` (from ``_whose``).

    ``whose`` has passed ``check_user_visible``: he is one of the managers ``ctx`` sees.
    ``event_visible`` is "the responsible is a visible manager OR the company is
    visible", so ``responsible_id == whose`` already implies it and the OR is dropped:
    on Firebird that OR (with its EXISTS on companies) keeps the plan off the
    ``(responsible_id, event_at, id)`` index. With no ``whose`` (the system context: every
    manager) the visibility condition stays."""
    if whose is None:
        return [event_visible(ctx)]
    return [Event.responsible_id == whose]


def _rows_query(ctx: Context) -> Select[Any]:
    """``columns_query`` of the events ``ctx`` sees."""
    return columns_query().where(event_visible(ctx))


def manager_event_rows(
    s: Session,
    ctx: Context,
    whose: int,
    *conditions: Any,
    now: datetime,
    limit: int | None = None,
) -> list[EventRow]:
    """The events of ``whose`` matching ``conditions``, the earliest first. ``whose``
    must have passed ``check_user_visible``: his events need no visibility test
    (``_scope``), so the query stays on the ``(responsible_id, …)`` indexes."""
    ids = select(Event.id).where(*_scope(ctx, whose), *conditions)
    ids = ids.order_by(Event.event_at, Event.id)
    picked = (ids if limit is None else ids.limit(limit)).subquery()
    # the ids from ``events`` alone (Firebird walks the index and stops), then the names
    return fetch(s, picked_query(picked).order_by(Event.event_at, Event.id), now)


def event_rows(
    s: Session,
    ctx: Context,
    *conditions: Any,
    now: datetime,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[EventRow]:
    """Visible events matching ``conditions`` as rows (for other services' pages)."""
    query = _rows_query(ctx).where(*conditions)
    if newest_first:
        query = query.order_by(Event.event_at.desc(), Event.id.desc())
    else:
        query = query.order_by(Event.event_at, Event.id)
    if limit is not None:
        query = query.limit(limit)
    return fetch(s, query, now)


def get_event(ctx: Context, event_id: int, now: datetime | None = None) -> EventCard:
    _require_any(ctx, R.CALENDAR, R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        rows = event_rows(s, ctx, Event.id == event_id, now=now)
        if not rows:
            raise NotFound(what(), event_id)
        creator = aliased(AppUser)
        extra = s.execute(
            select(
                Event.product_id,
                Product.name,
                Event.notes,
                Event.activity_id,
                Event.created_at,
                creator.full_name,
                Event.updated_at,
            )
            .outerjoin(Product, Product.id == Event.product_id)
            .outerjoin(creator, creator.id == Event.created_by)
            .where(Event.id == event_id)
        ).one()
        return EventCard(
            row=rows[0],
            product_id=extra[0],
            product_name=extra[1],
            notes=extra[2],
            activity_id=extra[3],
            created_at=extra[4],
            created_by_name=extra[5],
            updated_at=extra[6],
        )


DAY_ROWS = 100  # events of a day a day or week view loads; the rest are counted


def _period(
    ctx: Context,
    first: date,
    last: date,
    user_id: int | None,
    now: datetime | None,
    include_cancelled: bool,
    per_day: int | None,
) -> PeriodView:
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    with ctx.db.reader() as s:
        whose = _whose(s, ctx, user_id)
        scope = _scope(ctx, whose)
        days = read_days(s, scope, first, last, now, include_cancelled, per_day)
    return PeriodView(first, last, whose, days)


def day(
    ctx: Context,
    day: date,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
    per_day: int | None = DAY_ROWS,
) -> PeriodView:
    """The local ``day`` of ``user_id`` (default: me; the system context: everyone):
    its first ``per_day`` events in time order and its counts (``DayAgenda.more``: the
    events left out; ``per_day=None``: every event)."""
    return _period(ctx, day, day, user_id, now, include_cancelled, per_day)


def week(
    ctx: Context,
    day: date,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
    per_day: int | None = DAY_ROWS,
) -> PeriodView:
    """Monday–Sunday of the week ``day`` falls in (rows and counts as in ``day``)."""
    first = cal.week_first(day)
    return _period(ctx, first, first + timedelta(days=6), user_id, now, include_cancelled, per_day)


def month(
    ctx: Context,
    year: int,
    month: int,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
    per_day: int | None = 0,
) -> PeriodView:
    """The counts of each day of a month (the grid shows no rows); ``per_day`` loads
    rows as in ``day`` (None: every event of the month)."""
    if not 1 <= month <= 12:
        raise ValidationFailed({"month": _("A month is 1–12")})
    first = date(year, month, 1)
    return _period(
        ctx, first, cal.month_last(year, month), user_id, now, include_cancelled, per_day
    )


def overdue(
    ctx: Context, user_id: int | None = None, now: datetime | None = None, limit: int | None = None
) -> list[EventRow]:
    """Plans whose time has passed (the oldest first)."""
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    with ctx.db.reader() as s:
        whose = _whose(s, ctx, user_id)
        query = (
            columns_query()
            .where(*_scope(ctx, whose), Event.status == EventStatus.PLANNED, Event.event_at < now)
            .order_by(Event.event_at, Event.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return fetch(s, query, now)


def company_history(
    ctx: Context,
    company_id: int,
    limit: int = 50,
    cursor: tuple | None = None,
    backward: bool = False,
    now: datetime | None = None,
) -> Page[EventRow]:
    """A client's done and cancelled interactions, the newest first, a page at a time
    (keyset paging, ``qstui.domain.paging``: pass a row's cursor back as ``cursor``;
    ``backward`` pages towards the newest)."""
    ctx.require(R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        visible_company(s, ctx, company_id)
        conditions: list[Any] = [
            Event.company_id == company_id,
            Event.status.in_([EventStatus.DONE, EventStatus.CANCELLED]),
        ]
        if cursor is not None:
            at, ident = cursor
            if backward:  # newer than the cursor
                conditions.append(
                    or_(Event.event_at > at, and_(Event.event_at == at, Event.id > ident))
                )
            else:  # older than the cursor
                conditions.append(
                    or_(Event.event_at < at, and_(Event.event_at == at, Event.id < ident))
                )
        rows = event_rows(s, ctx, *conditions, now=now, newest_first=not backward, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    return Page(rows, [(row.event_at, row.id) for row in rows], more, backward)


def company_plans(ctx: Context, company_id: int, now: datetime | None = None) -> list[EventRow]:
    """A client's planned interactions, the earliest first (overdue ones included)."""
    ctx.require(R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        visible_company(s, ctx, company_id)
        return event_rows(
            s,
            ctx,
            Event.company_id == company_id,
            Event.status == EventStatus.PLANNED,
            now=now,
        )


def reminders_due(ctx: Context, now: datetime | None = None) -> list[EventRow]:
    """My plans whose reminder time has come and that have not started yet:
    ``remind_at <= now < event_at``."""
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    if ctx.user_id is None:
        return []
    with ctx.db.reader() as s:
        return event_rows(
            s,
            ctx,
            Event.responsible_id == ctx.user_id,
            Event.event_at > now,
            Event.status == EventStatus.PLANNED,
            Event.remind_at <= now,
            now=now,
        )


def visible_managers(ctx: Context) -> list[ManagerRef]:
    """The users whose calendars ``ctx`` may open (for a "manager" chooser), by name."""
    ctx.require(R.CALENDAR)
    with ctx.db.reader() as s:
        query = select(AppUser.id, AppUser.login, AppUser.full_name).order_by(
            AppUser.full_name, AppUser.id
        )
        if not ctx.is_system:
            query = query.where(owned_by_visible(ctx, AppUser.id))
        return [ManagerRef(r.id, r.login, r.full_name) for r in s.execute(query)]
