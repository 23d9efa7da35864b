"""The list of deals (D2): one keyset page of the visible deals matching a filter, newest
start first, each flagged when its current stage is overdue; and their count.

Rights: the module right ``deals``; the rows are the deals the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, or_, select
from sqlalchemy.orm import Session, aliased

from qstui.db.compat import prefix_match
from qstui.db.counting import count_rows
from qstui.db.models import AppUser, Company, Deal, DealStage, SearchWord, Stage
from qstui.domain.clock import today
from qstui.domain.deals import DealFilter, DealRow
from qstui.domain.enums import DealStatus
from qstui.domain.normalize import fold, words
from qstui.domain.paging import Page
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.search import index as search_index
from qstui.services.visibility import deal_visible, visible_user_ids

MAX_LIMIT = 1000


def _overdue_exists(on: date) -> Any:
    return exists().where(
        DealStage.deal_id == Deal.id,
        DealStage.done_on.is_(None),
        DealStage.due_on < on,
    )


def _stage_ids_named(s: Session, name: str) -> list[int]:
    key = fold(name)
    return [i for i, n in s.execute(select(Stage.id, Stage.name)) if fold(n) == key]


def _conditions(
    s: Session, ctx: Context, flt: DealFilter, on: date, visible: bool = True
) -> list[Any]:
    """The filter's conditions, with the visibility test unless ``visible`` is False."""
    conditions: list[Any] = [deal_visible(ctx)] if visible else []
    if flt.manager_id is not None:
        conditions.append(Deal.manager_id == flt.manager_id)
    if flt.company_id is not None:
        conditions.append(Deal.company_id == flt.company_id)
    if flt.pipeline_id is not None:
        conditions.append(Deal.pipeline_id == flt.pipeline_id)
    if flt.stage_id is not None:
        conditions.append(Deal.stage_id == flt.stage_id)
    if flt.stage_name:
        ids = _stage_ids_named(s, flt.stage_name)
        conditions.append(Deal.stage_id.in_(ids) if ids else Deal.id.is_(None))
    if flt.status is not None:
        conditions.append(Deal.status == DealStatus(flt.status))
    if flt.started_from is not None:
        conditions.append(Deal.started_on >= flt.started_from)
    if flt.started_to is not None:
        conditions.append(Deal.started_on <= flt.started_to)
    if flt.overdue_only:
        conditions += [Deal.status == DealStatus.OPEN, _overdue_exists(on)]
    for word in words(flt.text or "")[:10]:
        conditions.append(
            exists().where(
                SearchWord.object_kind == search_index.DEAL,
                SearchWord.object_id == Deal.id,
                prefix_match(SearchWord.word, word[: search_index.WORD_MAX]),
            )
        )
    return conditions


def list_deals(
    ctx: Context,
    flt: DealFilter | None = None,
    cursor: Sequence[Any] | None = None,
    limit: int = 100,
    backward: bool = False,
) -> Page[DealRow]:
    """One page of visible deals matching ``flt``, newest start first (started_on desc,
    id desc), keyset-paged. Forward from ``None``: the first rows; from a cursor: the
    rows after it. Backward from ``None``: the last rows; from a cursor: the rows before
    it. Rows come in display order with a cursor each; pass ``page.next_cursor`` back
    (same direction) to go on."""
    ctx.require(R.DEALS)
    flt = flt or DealFilter()
    limit = max(1, min(int(limit), MAX_LIMIT))
    on = today()
    manager = aliased(AppUser)
    client = aliased(Company)
    with ctx.db.reader() as s:
        conditions = _conditions(s, ctx, flt, on)
        if cursor is not None:
            after_day, after_id = cursor
            if isinstance(after_day, str):
                after_day = date.fromisoformat(after_day)
            if backward:  # the rows before the cursor in display order
                conditions.append(
                    or_(
                        Deal.started_on > after_day,
                        and_(Deal.started_on == after_day, Deal.id > int(after_id)),
                    )
                )
            else:
                conditions.append(
                    or_(
                        Deal.started_on < after_day,
                        and_(Deal.started_on == after_day, Deal.id < int(after_id)),
                    )
                )
        order = (Deal.started_on, Deal.id) if backward else (Deal.started_on.desc(), Deal.id.desc())
        overdue = case(
            (and_(Deal.status == DealStatus.OPEN, _overdue_exists(on)), 1), else_=0
        ).label("overdue")
        # The page's ids first, from ``deals`` alone: Firebird then walks the index of the
        # sort and stops after a page (joined to the names, it sorted every deal — 10 s
        # on 200 000); the names are joined to those ids only.
        picked = select(Deal.id).where(*conditions).order_by(*order).limit(limit + 1).subquery()
        found = s.execute(
            select(Deal, client.name, manager.full_name, Stage.name, overdue)
            .join(picked, picked.c.id == Deal.id)
            .join(client, client.id == Deal.company_id)
            .outerjoin(manager, manager.id == Deal.manager_id)
            .outerjoin(Stage, Stage.id == Deal.stage_id)
        ).all()
        rows = sorted(found, key=lambda r: (r[0].started_on, r[0].id), reverse=not backward)
        more = len(rows) > limit
        rows = rows[:limit]
        if backward:
            rows.reverse()
        result = [
            DealRow(
                id=d.id,
                title=d.title,
                company_id=d.company_id,
                company_name=company,
                manager_id=d.manager_id,
                manager_name=manager_name,
                pipeline_id=d.pipeline_id,
                stage_id=d.stage_id,
                stage_name=stage_name,
                status=d.status,
                started_on=d.started_on,
                planned_end_on=d.planned_end_on,
                closed_on=d.closed_on,
                amount=d.amount,
                currency_code=d.currency_code,
                is_overdue=bool(late),
                version=d.version,
            )
            for d, company, manager_name, stage_name, late in rows
        ]
        return Page(
            rows=result,
            cursors=[(r.started_on.isoformat(), r.id) for r in result],
            has_more=more,
            backward=backward,
        )


def count_deals(ctx: Context, flt: DealFilter | None = None, cap: int | None = None) -> int:
    """How many visible deals match ``flt``; with ``cap``, counted up to ``cap + 1``
    (more than ``cap``)."""
    ctx.require(R.DEALS)
    flt = flt or DealFilter()
    with ctx.db.reader() as s:
        ids = visible_user_ids(ctx)
        if ids is None:
            conditions = _conditions(s, ctx, flt, today())
            return count_rows(s, select(Deal.id).where(*conditions), cap)
        if not ids:
            return 0
        # The visible deals are the visible managers' own, plus the others' deals of the
        # visible managers' clients: two counts that each follow an index. As one "own OR
        # client's" test, Firebird read every deal (1.1 s for a manager on 200 000).
        rest = _conditions(s, ctx, flt, today(), visible=False)
        own = count_rows(s, select(Deal.id).where(Deal.manager_id.in_(ids), *rest), cap)
        if cap is not None and own > cap:
            return own
        owner = aliased(Company)
        others = count_rows(
            s,
            select(Deal.id)
            .join(owner, owner.id == Deal.company_id)
            .where(
                owner.manager_id.in_(ids),
                or_(Deal.manager_id.is_(None), Deal.manager_id.not_in(ids)),
                *rest,
            ),
            None if cap is None else cap - own,
        )
        return own + others
