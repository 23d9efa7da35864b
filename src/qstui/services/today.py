"""The start page ("today"): what a manager has to do now.

- my plans for today (local day), earlier hours flagged overdue;
- plans overdue from earlier days (the oldest first, capped, with the full count);
- overdue stages of my open deals (``deal_stages``: not done, ``due_on`` before today,
  the deal open, the stage's responsible is me);
- idle clients (C8): my companies with no contact for my ``users.idle_days`` (or never);
  the count and the longest forgotten few;
- my open deals' money: count and sum per currency of the open deals I manage — its own
  call (``open_deal_totals``), made after the page is painted.

The plan and idle-client counts stop at ``START_CAP`` (the page says "1 000+"): past a
thousand the number tells a manager nothing more, and counting on cost ~150 ms on
Firebird for a manager of the large demo.

A section whose module right the user lacks (``calendar``, ``deals``, ``clients``) stays
empty instead of refusing the page. A head may look at a visible manager's page
(``user_id``); the system context has no page of its own (everything empty).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select

from qstui.db.counting import count_rows
from qstui.db.models import AppUser, Company, Deal, Event
from qstui.domain import calendar as cal
from qstui.domain.calendar import IdleClient, MoneyTotal, TodayPage
from qstui.domain.clock import utcnow
from qstui.domain.enums import DealStatus, EventStatus
from qstui.services import rights as R
from qstui.services.calendar.lists import check_user_visible, manager_event_rows
from qstui.services.context import Context
from qstui.services.deals.stages import overdue_stages

KOPECK = Decimal("0.01")
START_CAP = 1000


def today_page(
    ctx: Context,
    user_id: int | None = None,
    now: datetime | None = None,
    idle_limit: int = 10,
    overdue_limit: int = 50,
) -> TodayPage:
    now = (now or utcnow()).replace(microsecond=0)
    today = cal.local_day(now)
    whose = user_id if user_id is not None else ctx.user_id
    if whose is None:
        return TodayPage(day=today, now=now, user_id=None)
    with ctx.db.reader() as s:
        check_user_visible(s, ctx, whose)
        # ``whose`` is a manager the user sees, so his own plans, deals and clients need
        # no visibility test (an OR that keeps Firebird off the indexes); overdue stages
        # keep it: a stage may be his on a deal of someone else's client.
        idle_days = s.scalar(select(AppUser.idle_days).where(AppUser.id == whose)) or 0
        page: dict[str, object] = {"idle_days": idle_days}
        start, end = cal.day_range(today, today)

        if ctx.has(R.CALENDAR):
            planned = Event.status == EventStatus.PLANNED
            page["plans"] = tuple(
                manager_event_rows(
                    s, ctx, whose, planned, Event.event_at >= start, Event.event_at < end, now=now
                )
            )
            page["overdue"] = tuple(
                manager_event_rows(
                    s, ctx, whose, planned, Event.event_at < start, now=now, limit=overdue_limit
                )
            )
            page["overdue_count"] = count_rows(
                s,
                select(Event.id).where(
                    Event.responsible_id == whose, planned, Event.event_at < start
                ),
                START_CAP,
            )

        if ctx.has(R.DEALS):
            page["overdue_stages"] = tuple(
                overdue_stages(ctx, whose, limit=overdue_limit, on=today, session=s)
            )

        if ctx.has(R.CLIENTS):
            since = now - timedelta(days=idle_days)
            idle = (
                Company.manager_id == whose,
                or_(Company.last_contact_at.is_(None), Company.last_contact_at < since),
            )
            page["idle_count"] = count_rows(s, select(Company.id).where(*idle), START_CAP)
            # never contacted first, then the longest forgotten: two walks of the index
            # (manager_id, last_contact_at, name_fold, id) that stop after a few rows — the
            # OR of both in one query made every database sort them all
            columns = select(Company.id, Company.name, Company.last_contact_at)
            mine = Company.manager_id == whose
            rows = s.execute(
                columns.where(mine, Company.last_contact_at.is_(None))
                .order_by(Company.name_fold, Company.id)
                .limit(idle_limit)
            ).all()
            if len(rows) < idle_limit:
                rows += s.execute(
                    columns.where(mine, Company.last_contact_at < since)
                    .order_by(Company.last_contact_at, Company.name_fold, Company.id)
                    .limit(idle_limit - len(rows))
                ).all()
            page["idle_clients"] = tuple(
                IdleClient(
                    company_id=r.id,
                    name=r.name,
                    last_contact_at=r.last_contact_at,
                    idle_days=None if r.last_contact_at is None else (now - r.last_contact_at).days,
                )
                for r in rows
            )
    return TodayPage(day=today, now=now, user_id=whose, **page)  # type: ignore[arg-type]


def open_deal_totals(ctx: Context, user_id: int | None = None) -> tuple[MoneyTotal, ...]:
    """The start page's money: count and sum per currency of the open deals ``user_id``
    (default: the user) manages. Its own call, made once the page is painted: it adds
    up every open deal (~30 000 of a manager in the large demo, ~140 ms on Firebird)."""
    whose = user_id if user_id is not None else ctx.user_id
    if whose is None:
        return ()
    with ctx.db.reader() as s:
        check_user_visible(s, ctx, whose)
        if not ctx.has(R.DEALS):
            return ()
        totals = s.execute(
            select(Deal.currency_code, func.count(Deal.id), func.sum(Deal.amount))
            .where(Deal.manager_id == whose, Deal.status == DealStatus.OPEN)
            .group_by(Deal.currency_code)
            .order_by(Deal.currency_code)
        ).all()
    return tuple(
        MoneyTotal(code, count, Decimal(amount or 0).quantize(KOPECK))
        for code, count, amount in totals
    )
