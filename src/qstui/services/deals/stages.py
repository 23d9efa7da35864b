"""The stages of a deal (D1): move an open deal to another stage of its pipeline, change a
stage's responsible, deadline or note, the late stages, the stage ids of a deal.

One row per stage a deal reached, in ``deal_stages``: the current stage's row is the
only one not done on an open deal, so "overdue" (not done, ``due_on`` before today)
always means the current stage is late. Moving forward marks every stage passed done
today (a skipped stage gets a row started and done today); moving back clears the rows
ahead of the target (no longer reached) and restarts the target.

Rights: the module right ``deals``; ``edit`` to change. Only visible deals.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import AppUser, Company, Deal, DealStage, Stage
from qstui.domain.clock import today
from qstui.domain.deals import OverdueStage
from qstui.domain.enums import DealStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import multi_line
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import (
    check_user,
    length_errors,
    load_deal,
    save_deal,
    stage_due,
)
from qstui.services.persist import apply_changes, conflict_for, record_create, writing
from qstui.services.visibility import deal_visible

STAGE_DETAIL_FIELDS = ("responsible_id", "due_on", "note")


# --- what moving a deal through its stages takes (no rights checks: the callers') -------


def pipeline_stages(s: Session, pipeline_id: int) -> list[Stage]:
    """Every stage of the pipeline (inactive ones too), in order."""
    return list(
        s.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.sort_no))
    )


def rows_by_stage(s: Session, deal_id: int) -> dict[int, DealStage]:
    """The deal's stage rows by stage id."""
    return {
        row.stage_id: row
        for row in s.scalars(select(DealStage).where(DealStage.deal_id == deal_id))
    }


def require_open(deal: Deal) -> None:
    """ValidationFailed unless the deal is open."""
    if deal.status != DealStatus.OPEN:
        raise ValidationFailed({"status": _("The deal is closed: reopen it first")})


def restart(
    s: Session,
    ctx: Context,
    deal: Deal,
    stage: Stage,
    row: DealStage | None,
    on: date,
    responsible_id: int | None,
    due_on: date | None,
) -> None:
    """Make ``stage`` the deal's current, started today (its row made or reused)."""
    due = due_on if due_on is not None else stage_due(on, stage)
    if row is None:
        row = DealStage(
            deal_id=deal.id,
            stage_id=stage.id,
            responsible_id=responsible_id if responsible_id is not None else deal.manager_id,
            started_on=on,
            due_on=due,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, row, "deal_stage")
        return
    values: dict[str, Any] = {"started_on": on, "due_on": due, "done_on": None}
    if responsible_id is not None:
        values["responsible_id"] = responsible_id
    elif row.responsible_id is None:
        values["responsible_id"] = deal.manager_id
    apply_changes(s, ctx, row, values, "deal_stage")


# --- the services ------------------------------------------------------------------------


def move_to_stage(
    ctx: Context,
    deal_id: int,
    version: int,
    stage_id: int,
    responsible_id: int | None = None,
    due_on: date | None = None,
) -> int:
    """Move an open deal to another stage of its pipeline (forward or back); returns
    the deal's new version. The new stage's responsible defaults to the one it had, else
    the deal's manager; its deadline to today + the stage's usual days."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        require_open(deal)
        stages = pipeline_stages(s, deal.pipeline_id)
        target = next((st for st in stages if st.id == stage_id), None)
        errors: dict[str, str] = {}
        if target is None or not target.is_active:
            errors["stage_id"] = _("No such active stage in the deal's pipeline")
        if due_on is not None and not isinstance(due_on, date):
            errors["due_on"] = _("Enter a date")
        check_user(s, responsible_id, "responsible_id", errors)
        if errors:
            raise ValidationFailed(errors)
        assert target is not None
        if target.id == deal.stage_id:
            return deal.version
        current = next((st for st in stages if st.id == deal.stage_id), None)
        current_no = current.sort_no if current is not None else stages[0].sort_no - 1
        rows = rows_by_stage(s, deal.id)
        if target.sort_no > current_no:
            for st in stages:  # every active stage passed is done today
                if current_no <= st.sort_no < target.sort_no and (st.is_active or st.id in rows):
                    row = rows.get(st.id)
                    if row is None:
                        row = DealStage(
                            deal_id=deal.id,
                            stage_id=st.id,
                            responsible_id=deal.manager_id,
                            started_on=on,
                            done_on=on,
                            updated_by=ctx.user_id,
                        )
                        record_create(s, ctx, row, "deal_stage")
                    elif row.done_on is None:
                        apply_changes(s, ctx, row, {"done_on": on}, "deal_stage")
        else:
            for st in stages:  # stages ahead of the target are no longer reached
                row = rows.get(st.id)
                if row is not None and st.sort_no > target.sort_no:
                    apply_changes(
                        s,
                        ctx,
                        row,
                        {"started_on": None, "due_on": None, "done_on": None},
                        "deal_stage",
                    )
        restart(s, ctx, deal, target, rows.get(target.id), on, responsible_id, due_on)
        return save_deal(s, ctx, deal, {"stage_id": target.id})


def set_stage_details(ctx: Context, deal_stage_id: int, version: int, **changes: Any) -> int:
    """Change the responsible, the deadline or the note of a deal's stage (saved at
    ``version`` of that stage row); returns the row's new version."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(STAGE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown stage fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    if "note" in values:
        values["note"] = multi_line(values["note"])
    with writing(ctx) as s:
        row = s.scalar(
            select(DealStage)
            .join(Deal, Deal.id == DealStage.deal_id)
            .where(DealStage.id == deal_stage_id, deal_visible(ctx))
        )
        if row is None:
            raise NotFound(_("Stage of a deal"), deal_stage_id)
        if row.version != version:
            raise conflict_for(s, DealStage, row.id)
        errors = length_errors(values)
        if values.get("due_on") is not None and not isinstance(values["due_on"], date):
            errors["due_on"] = _("Enter a date")
        check_user(s, values.get("responsible_id"), "responsible_id", errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, row, values, "deal_stage")
        return row.version


def overdue_stages(
    ctx: Context,
    manager_id: int | None = None,
    limit: int | None = None,
    on: date | None = None,
    session: Session | None = None,
) -> list[OverdueStage]:
    """Late stages of visible open deals (not done, the deadline before ``on``, default
    today), the longest late first; with ``manager_id``: only the stages that manager is
    responsible for; at most ``limit``. ``session``: read in the caller's open session
    (the start page reads all its sections in one)."""
    ctx.require(R.DEALS)
    on = on or today()
    responsible = aliased(AppUser)
    client = aliased(Company)
    query = (
        select(
            DealStage,
            Deal.title,
            Deal.company_id,
            client.name,
            Stage.name,
            responsible.full_name,
        )
        .join(Deal, Deal.id == DealStage.deal_id)
        .join(client, client.id == Deal.company_id)
        .join(Stage, Stage.id == DealStage.stage_id)
        .outerjoin(responsible, responsible.id == DealStage.responsible_id)
        .where(
            deal_visible(ctx),
            DealStage.deal_open.is_(True),  # leads the indexes (Deal.status is its source)
            Deal.status == DealStatus.OPEN,
            DealStage.done_on.is_(None),
            DealStage.due_on < on,
        )
        .order_by(DealStage.due_on, DealStage.deal_id, DealStage.id)
    )
    if manager_id is not None:
        query = query.where(DealStage.responsible_id == manager_id)
    if limit is not None:
        query = query.limit(limit)
    with nullcontext(session) if session is not None else ctx.db.reader() as s:
        return [
            OverdueStage(
                deal_stage_id=row.id,
                deal_id=row.deal_id,
                deal_title=title,
                company_id=company_id,
                company_name=company,
                stage_id=row.stage_id,
                stage_name=stage,
                responsible_id=row.responsible_id,
                responsible_name=user,
                due_on=row.due_on,
                days_overdue=(on - row.due_on).days,
                version=row.version,
            )
            for row, title, company_id, company, stage, user in s.execute(query)
        ]


def stage_ids_of(ctx: Context, deal_id: int) -> Sequence[int]:
    """The active stage ids of the deal's pipeline in order (for "next stage" keys)."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        deal = load_deal(s, ctx, deal_id)
        return [st.id for st in pipeline_stages(s, deal.pipeline_id) if st.is_active]
