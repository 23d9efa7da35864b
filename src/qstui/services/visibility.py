"""Visibility predicates (U2): which rows a user may see — own, department, or all.

Every query a service runs on clients, deals, events, claims or search words is
filtered by one of these; the rule lives here only.

- A company is visible when its responsible manager is one of the user's visible
  managers (``see.own``: the user; ``see.department``: the users of the user's
  department and the user; ``see.all``: any, including unassigned companies).
- A deal, an event or a claim is visible when its company is visible, or when the user
  (or a visible manager) is its own responsible person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from qstui.db.models import AppUser, Claim, Company, Deal, Event
from qstui.services import rights as R
from qstui.services.context import Context


def sees_all(ctx: Context) -> bool:
    return ctx.has(R.SEE_ALL)


def visible_user_ids(ctx: Context) -> tuple[int, ...] | None:
    """The ids of the users whose clients ``ctx`` sees; None means "everyone".

    Read as values (a department is a handful of people), so that a query compares a
    column with constants: ``manager_id = 3`` is an index range on both backends, while
    ``manager_id IN (SELECT …)`` is evaluated row by row on Firebird 3 (it has no
    semi-join) and made the count of a manager's clients read the whole table."""
    if ctx.has(R.SEE_ALL):
        return None
    if ctx.has(R.SEE_DEPARTMENT) and ctx.department_id is not None:
        with ctx.db.reader() as s:
            colleagues = s.scalars(
                select(AppUser.id).where(AppUser.department_id == ctx.department_id)
            ).all()
        return tuple(sorted({*colleagues, *([ctx.user_id] if ctx.user_id else [])}))
    if (ctx.has(R.SEE_OWN) or ctx.has(R.SEE_DEPARTMENT)) and ctx.user_id is not None:
        return (ctx.user_id,)
    return ()


def owned_by_visible(ctx: Context, column: Any) -> ColumnElement[bool]:
    """``column`` (a user id column) belongs to a visible manager."""
    ids = visible_user_ids(ctx)
    if ids is None:
        return true()
    if not ids:
        return false()
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def company_visible(ctx: Context, company_id_column: Any = None) -> ColumnElement[bool]:
    """Condition on ``Company`` rows, or on a company id column of another table."""
    if company_id_column is None:
        return owned_by_visible(ctx, Company.manager_id)
    if sees_all(ctx):
        return true()
    # An alias, so the EXISTS never correlates with a ``companies`` of the outer query.
    owner = aliased(Company)
    return exists().where(
        and_(owner.id == company_id_column, owned_by_visible(ctx, owner.manager_id))
    )


def deal_visible(ctx: Context) -> ColumnElement[bool]:
    if sees_all(ctx):
        return true()
    return or_(owned_by_visible(ctx, Deal.manager_id), company_visible(ctx, Deal.company_id))


def fact_visible(ctx: Context, facts: Any, owner: Any = None) -> ColumnElement[bool]:
    """``deal_visible`` (``event_visible``) on the reports' copies of the deals, their
    stage rows or the interactions (``DealFact``, ``StageFact``, ``EventFact``), which
    carry the client's manager: one condition on one table, no look-up of the client.
    ``owner``: the row's own manager column (default ``facts.manager_id``)."""
    if sees_all(ctx):
        return true()
    own = facts.manager_id if owner is None else owner
    return or_(owned_by_visible(ctx, own), owned_by_visible(ctx, facts.client_manager_id))


def event_visible(ctx: Context) -> ColumnElement[bool]:
    if sees_all(ctx):
        return true()
    return or_(owned_by_visible(ctx, Event.responsible_id), company_visible(ctx, Event.company_id))


def claim_visible(ctx: Context) -> ColumnElement[bool]:
    if sees_all(ctx):
        return true()
    return or_(owned_by_visible(ctx, Claim.employee_id), company_visible(ctx, Claim.company_id))


def can_see_user(ctx: Context, user_id: int | None) -> bool:
    """Whether ``ctx`` may look at ``user_id``'s calendar, clients and figures."""
    if ctx.has(R.SEE_ALL):
        return True
    if user_id is None:
        return False
    if user_id == ctx.user_id:
        return ctx.has(R.SEE_OWN) or ctx.has(R.SEE_DEPARTMENT)
    if ctx.has(R.SEE_DEPARTMENT) and ctx.department_id is not None:
        with ctx.db.reader() as s:
            return s.scalar(select(AppUser.department_id).where(AppUser.id == user_id)) == (
                ctx.department_id
            )
    return False
