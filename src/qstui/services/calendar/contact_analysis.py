"""Contact analysis (K4): how many calls, meetings, letters… each manager had in a period.

Set-based: one ``GROUP BY responsible_id, type_id`` over the done events of the period
(a range on ``event_at``, the ``(responsible_id, event_at)`` index), one for the plans
overdue now, one for the managers. Needs the right ``reports``; only visible managers
and visible events are counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func, or_, select

from qstui.db.compat import chunks, id_in
from qstui.db.models import AppUser, Event, EventType
from qstui.domain import calendar as cal
from qstui.domain.calendar import ContactStats
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus, Role
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.visibility import event_visible, owned_by_visible


def contact_analysis(
    ctx: Context,
    date_from: date,
    date_to: date,
    user_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> list[ContactStats]:
    """Per manager (``user_ids``, default: every visible manager and head, and anyone
    else with interactions in the period): the done interactions of the local days
    ``date_from``..``date_to`` by type code, their total, and the plans overdue ``now``.
    Ordered by name."""
    ctx.require(R.REPORTS)
    if date_to < date_from:
        raise ValidationFailed({"date_to": _("The period ends before it starts")})
    now = now or utcnow()
    start, end = cal.day_range(date_from, date_to)
    wanted = None if user_ids is None else sorted(set(user_ids))
    with ctx.db.reader() as s:
        if wanted is not None:
            known: set[int] = set()
            allowed: set[int] = set()
            for chunk in chunks(wanted):
                known.update(s.scalars(select(AppUser.id).where(id_in(AppUser.id, chunk))))
                allowed.update(
                    s.scalars(
                        select(AppUser.id).where(
                            id_in(AppUser.id, chunk), owned_by_visible(ctx, AppUser.id)
                        )
                    )
                )
            missing = [uid for uid in wanted if uid not in known]
            if missing:
                raise NotFound(_("User"), missing[0])
            if set(wanted) - allowed:
                raise AccessDenied(
                    R.SEE_DEPARTMENT, _("You may not see the figures of another manager")
                )

        scope = (owned_by_visible(ctx, Event.responsible_id), event_visible(ctx))
        done_query = (
            select(Event.responsible_id, Event.type_id, func.count(Event.id))
            .where(
                Event.status == EventStatus.DONE,
                Event.event_at >= start,
                Event.event_at < end,
                *scope,
            )
            .group_by(Event.responsible_id, Event.type_id)
        )
        overdue_query = (
            select(Event.responsible_id, func.count(Event.id))
            .where(Event.status == EventStatus.PLANNED, Event.event_at < now, *scope)
            .group_by(Event.responsible_id)
        )
        done: dict[int, dict[int, int]] = {}
        for responsible, type_id, count in s.execute(done_query):
            done.setdefault(responsible, {})[type_id] = count
        late: dict[int, int] = {uid: n for uid, n in s.execute(overdue_query)}

        users_query = select(AppUser.id, AppUser.login, AppUser.full_name).where(
            owned_by_visible(ctx, AppUser.id)
        )
        if wanted is None:
            active = sorted(set(done) | set(late))
            condition = AppUser.role.in_([Role.MANAGER, Role.HEAD])
            if active:
                condition = or_(condition, *(id_in(AppUser.id, chunk) for chunk in chunks(active)))
            users = s.execute(users_query.where(condition)).all()
        else:
            users = []
            for chunk in chunks(wanted):
                users.extend(s.execute(users_query.where(id_in(AppUser.id, chunk))).all())

        used_types = {type_id for counts in done.values() for type_id in counts}
        types = s.execute(
            select(EventType.id, EventType.code, EventType.is_active).order_by(
                EventType.sort_no, EventType.id
            )
        ).all()
    shown = [(t.id, t.code) for t in types if t.is_active or t.id in used_types]
    result = []
    for user in users:
        counts = done.get(user.id, {})
        by_type = {code: counts.get(type_id, 0) for type_id, code in shown}
        result.append(
            ContactStats(
                user_id=user.id,
                login=user.login,
                full_name=user.full_name,
                by_type=by_type,
                total=sum(counts.values()),
                overdue=late.get(user.id, 0),
            )
        )
    result.sort(key=lambda stats: (stats.full_name, stats.user_id))
    return result
