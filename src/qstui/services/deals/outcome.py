"""How a deal ends (D7): won today (every active stage done), lost today for a refusal
reason at a stage, or reopened at its current stage.

Rights: the module right ``deals`` and ``edit``. Only visible deals, saved under the
version the user started from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qstui.db.models import DealStage, RefusalReason, Stage
from qstui.domain.clock import today
from qstui.domain.enums import DealStatus
from qstui.domain.errors import ValidationFailed
from qstui.domain.text import multi_line
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import length_errors, load_deal, save_deal
from qstui.services.deals.stages import pipeline_stages, require_open, restart, rows_by_stage
from qstui.services.persist import apply_changes, record_create, writing
from qstui.services.refbooks.pipelines import first_stage


def win_deal(ctx: Context, deal_id: int, version: int) -> int:
    """D7: the deal is won today; every active stage is done (the last becomes the
    current). Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        require_open(deal)
        stages = [st for st in pipeline_stages(s, deal.pipeline_id) if st.is_active]
        rows = rows_by_stage(s, deal.id)
        for st in stages:
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
                values: dict[str, Any] = {"done_on": on}
                if row.started_on is None:
                    values["started_on"] = on
                apply_changes(s, ctx, row, values, "deal_stage")
        mark_stages_open(s, deal.id, False)
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.WON,
                "closed_on": on,
                "stage_id": stages[-1].id if stages else deal.stage_id,
                "lost_reason_id": None,
                "lost_stage_id": None,
                "lost_note": None,
            },
        )


def lose_deal(
    ctx: Context,
    deal_id: int,
    version: int,
    reason_id: int,
    stage_id: int | None = None,
    note: str | None = None,
) -> int:
    """D7: the deal is lost today for ``reason_id`` (a refusal reason) at ``stage_id``
    (default: its current stage). Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    note = multi_line(note)
    errors = length_errors({"lost_note": note})
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        require_open(deal)
        if s.scalar(select(RefusalReason.id).where(RefusalReason.id == reason_id)) is None:
            errors["reason_id"] = _("Choose a refusal reason")
        stage_id = stage_id if stage_id is not None else deal.stage_id
        if (
            stage_id is not None
            and s.scalar(
                select(Stage.id).where(Stage.id == stage_id, Stage.pipeline_id == deal.pipeline_id)
            )
            is None
        ):
            errors["stage_id"] = _("No such stage in the deal's pipeline")
        if errors:
            raise ValidationFailed(errors)
        mark_stages_open(s, deal.id, False)
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.LOST,
                "closed_on": today(),
                "lost_reason_id": reason_id,
                "lost_stage_id": stage_id,
                "lost_note": note,
            },
        )


def reopen_deal(ctx: Context, deal_id: int, version: int) -> int:
    """A won or lost deal is open again at its current stage, restarted today."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        if deal.status == DealStatus.OPEN:
            raise ValidationFailed({"status": _("The deal is open already")})
        stages = [st for st in pipeline_stages(s, deal.pipeline_id) if st.is_active]
        stage = next((st for st in stages if st.id == deal.stage_id), None) or (
            stages[0] if stages else first_stage(s, deal.pipeline_id)
        )
        rows = rows_by_stage(s, deal.id)
        restart(s, ctx, deal, stage, rows.get(stage.id), on, None, None)
        mark_stages_open(s, deal.id, True)
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.OPEN,
                "closed_on": None,
                "stage_id": stage.id,
                "lost_reason_id": None,
                "lost_stage_id": None,
                "lost_note": None,
            },
        )


def mark_stages_open(s: Session, deal_id: int, is_open: bool) -> None:
    """Copy "the deal is open" onto its stages (``deal_stages.deal_open``), in the
    transaction that opens or closes it: a derived column, not an edit (no version)."""
    s.flush()  # the stages this transaction added or restarted
    s.execute(update(DealStage).where(DealStage.deal_id == deal_id).values(deal_open=is_open))
