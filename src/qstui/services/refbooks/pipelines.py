"""Pipelines and their stages (D2, S1), and the refusal reasons of lost deals (D7).

Everyone reads them (deal forms pick from them); creating and editing needs the right
``refbooks.edit``. A stage is never deleted (deals keep pointing at it): it is made
inactive, and new deals and moves skip it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qstui.db.models import Pipeline, RefusalReason, Stage
from qstui.domain.deals import PipelineInfo, RefusalReasonInfo, StageInfo, StageSpec
from qstui.domain.enums import AuditAction
from qstui.domain.errors import NotFound, ServiceError, ValidationFailed
from qstui.domain.normalize import fold
from qstui.domain.text import one_line
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import apply_changes, load_for_update, record_create, writing

MAX_DAYS = 3650


def _stage_info(stage: Stage) -> StageInfo:
    return StageInfo(
        id=stage.id,
        pipeline_id=stage.pipeline_id,
        name=stage.name,
        sort_no=stage.sort_no,
        probability=stage.probability,
        days=stage.days,
        is_active=bool(stage.is_active),
        version=stage.version,
    )


def _pipeline_infos(s: Session, pipelines: Sequence[Pipeline], active_stages: bool) -> list:
    ids = [p.id for p in pipelines]
    stages: dict[int, list[StageInfo]] = {i: [] for i in ids}
    if ids:
        query = select(Stage).where(Stage.pipeline_id.in_(ids)).order_by(Stage.sort_no)
        if active_stages:
            query = query.where(Stage.is_active.is_(True))
        for stage in s.scalars(query):
            stages[stage.pipeline_id].append(_stage_info(stage))
    return [
        PipelineInfo(
            id=p.id,
            name=p.name,
            is_default=bool(p.is_default),
            is_active=bool(p.is_active),
            sort_no=p.sort_no,
            version=p.version,
            stages=tuple(stages[p.id]),
        )
        for p in pipelines
    ]


def list_pipelines(ctx: Context, include_inactive: bool = False) -> list[PipelineInfo]:
    """Pipelines in their order, each with its stages in order (inactive ones only with
    ``include_inactive``, for the reference-book editor)."""
    with ctx.db.reader() as s:
        query = select(Pipeline).order_by(Pipeline.sort_no, Pipeline.id)
        if not include_inactive:
            query = query.where(Pipeline.is_active.is_(True))
        return _pipeline_infos(s, list(s.scalars(query)), not include_inactive)


def get_pipeline(ctx: Context, pipeline_id: int) -> PipelineInfo:
    """One pipeline with all its stages (inactive ones too)."""
    with ctx.db.reader() as s:
        pipeline = s.get(Pipeline, pipeline_id)
        if pipeline is None:
            raise NotFound(_("Pipeline"), pipeline_id)
        return _pipeline_infos(s, [pipeline], False)[0]


def default_pipeline_id(session: Session) -> int:
    """The default active pipeline, else the first active one."""
    found = session.scalar(
        select(Pipeline.id)
        .where(Pipeline.is_active.is_(True))
        .order_by(Pipeline.is_default.desc(), Pipeline.sort_no, Pipeline.id)
        .limit(1)
    )
    if found is None:
        raise ServiceError(_("There is no active pipeline: create one in the reference books"))
    return found


def first_stage(session: Session, pipeline_id: int) -> Stage:
    stage = session.scalar(
        select(Stage)
        .where(Stage.pipeline_id == pipeline_id, Stage.is_active.is_(True))
        .order_by(Stage.sort_no)
        .limit(1)
    )
    if stage is None:
        raise ServiceError(_("The pipeline has no active stages: add a stage first"))
    return stage


def list_refusal_reasons(ctx: Context, include_inactive: bool = False) -> list[RefusalReasonInfo]:
    """Why deals are lost (D7), in their order."""
    with ctx.db.reader() as s:
        query = select(RefusalReason).order_by(RefusalReason.sort_no, RefusalReason.id)
        if not include_inactive:
            query = query.where(RefusalReason.is_active.is_(True))
        return [
            RefusalReasonInfo(r.id, r.name, bool(r.is_active), r.sort_no) for r in s.scalars(query)
        ]


# --- validation --------------------------------------------------------------------------


def _name_error(name: str, limit: int = 100) -> str | None:
    if not name or len(name) > limit:
        return _("A name of 1–{n} characters is required").format(n=limit)
    return None


def _stage_errors(name: str, probability: Any, days: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (message := _name_error(name)) is not None:
        errors["name"] = message
    if (
        not isinstance(probability, int)
        or isinstance(probability, bool)
        or not (0 <= probability <= 100)
    ):
        errors["probability"] = _("A probability is a whole number of percent from 0 to 100")
    if days is not None and (
        not isinstance(days, int) or isinstance(days, bool) or not (0 <= days <= MAX_DAYS)
    ):
        errors["days"] = _("Days are a whole number from 0 to {n}").format(n=MAX_DAYS)
    return errors


def _check_stage_names(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        key = fold(name)
        if key in seen:
            raise ValidationFailed(
                {"name": _("The pipeline already has a stage «{name}»").format(name=name)}
            )
        seen.add(key)


def _unset_other_defaults(s: Session, ctx: Context, keep_id: int) -> None:
    for other in s.scalars(
        select(Pipeline).where(Pipeline.is_default.is_(True), Pipeline.id != keep_id)
    ):
        apply_changes(s, ctx, other, {"is_default": False}, "pipeline")


# --- editing -----------------------------------------------------------------------------


def create_pipeline(
    ctx: Context,
    name: str,
    stages: Sequence[StageSpec] = (),
    is_default: bool = False,
) -> int:
    """A new pipeline with its stages in the given order; returns its id."""
    ctx.require(R.REFBOOKS_EDIT)
    name = one_line(name) or ""
    errors: dict[str, str] = {}
    if (message := _name_error(name)) is not None:
        errors["name"] = message
    specs = [StageSpec(one_line(spec.name) or "", spec.probability, spec.days) for spec in stages]
    for spec in specs:
        for key, message in _stage_errors(spec.name, spec.probability, spec.days).items():
            errors.setdefault(f"stages.{key}", message)
    if errors:
        raise ValidationFailed(errors)
    _check_stage_names(spec.name for spec in specs)
    with writing(ctx) as s:
        if s.scalar(select(Pipeline.id).where(Pipeline.name == name)) is not None:
            raise ValidationFailed({"name": _("The pipeline «{name}» exists").format(name=name)})
        order = (s.scalar(select(func.max(Pipeline.sort_no))) or 0) + 1
        pipeline = Pipeline(
            name=name, is_default=bool(is_default), sort_no=order, updated_by=ctx.user_id
        )
        record_create(s, ctx, pipeline, "pipeline")
        for no, spec in enumerate(specs, start=1):
            stage = Stage(
                pipeline_id=pipeline.id,
                name=spec.name,
                sort_no=no,
                probability=spec.probability,
                days=spec.days,
                updated_by=ctx.user_id,
            )
            record_create(s, ctx, stage, "stage")
        if is_default:
            _unset_other_defaults(s, ctx, pipeline.id)
        return pipeline.id


PIPELINE_FIELDS = ("name", "is_default", "is_active", "sort_no")


def update_pipeline(ctx: Context, pipeline_id: int, version: int, **changes: Any) -> int:
    """Rename, reorder, make default or (in)active; returns the new version."""
    ctx.require(R.REFBOOKS_EDIT)
    unknown = set(changes) - set(PIPELINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown pipeline fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    errors: dict[str, str] = {}
    if "name" in values:
        values["name"] = one_line(values["name"]) or ""
        if (message := _name_error(values["name"])) is not None:
            errors["name"] = message
    if "sort_no" in values and (
        not isinstance(values["sort_no"], int) or isinstance(values["sort_no"], bool)
    ):
        errors["sort_no"] = _("An order number is a whole number")
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        pipeline = load_for_update(s, Pipeline, pipeline_id, _("Pipeline"), version)
        if "name" in values and s.scalar(
            select(Pipeline.id).where(Pipeline.name == values["name"], Pipeline.id != pipeline_id)
        ):
            raise ValidationFailed(
                {"name": _("The pipeline «{name}» exists").format(name=values["name"])}
            )
        becomes_default = values.get("is_default", pipeline.is_default)
        becomes_active = values.get("is_active", pipeline.is_active)
        if becomes_default and not becomes_active:
            raise ValidationFailed(
                {"is_active": _("The default pipeline cannot be inactive: make another default")}
            )
        apply_changes(s, ctx, pipeline, values, "pipeline")
        if values.get("is_default"):
            _unset_other_defaults(s, ctx, pipeline.id)
        return pipeline.version


def add_stage(
    ctx: Context, pipeline_id: int, name: str, probability: int = 0, days: int | None = None
) -> int:
    """A new stage at the end of the pipeline; returns its id."""
    ctx.require(R.REFBOOKS_EDIT)
    name = one_line(name) or ""
    errors = _stage_errors(name, probability, days)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        if s.get(Pipeline, pipeline_id) is None:
            raise NotFound(_("Pipeline"), pipeline_id)
        names = list(s.scalars(select(Stage.name).where(Stage.pipeline_id == pipeline_id)))
        _check_stage_names([*names, name])
        order = (
            s.scalar(select(func.max(Stage.sort_no)).where(Stage.pipeline_id == pipeline_id)) or 0
        ) + 1
        stage = Stage(
            pipeline_id=pipeline_id,
            name=name,
            sort_no=order,
            probability=probability,
            days=days,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, stage, "stage")
        return stage.id


STAGE_FIELDS = ("name", "probability", "days", "is_active")


def update_stage(ctx: Context, stage_id: int, version: int, **changes: Any) -> int:
    """Rename a stage, change its probability or usual days, or (de)activate it;
    returns the new version."""
    ctx.require(R.REFBOOKS_EDIT)
    unknown = set(changes) - set(STAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown stage fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    if "name" in values:
        values["name"] = one_line(values["name"]) or ""
    with writing(ctx) as s:
        stage = load_for_update(s, Stage, stage_id, _("Stage"), version)
        errors = _stage_errors(
            values.get("name", stage.name),
            values.get("probability", stage.probability),
            values.get("days", stage.days),
        )
        errors = {key: msg for key, msg in errors.items() if key in values}
        if errors:
            raise ValidationFailed(errors)
        if "name" in values:
            names = s.scalars(
                select(Stage.name).where(
                    Stage.pipeline_id == stage.pipeline_id, Stage.id != stage.id
                )
            )
            _check_stage_names([*names, values["name"]])
        if values.get("is_active") is False and stage.is_active:
            others = s.scalar(
                select(func.count())
                .select_from(Stage)
                .where(
                    Stage.pipeline_id == stage.pipeline_id,
                    Stage.is_active.is_(True),
                    Stage.id != stage.id,
                )
            )
            if not others:
                raise ValidationFailed(
                    {"is_active": _("A pipeline needs at least one active stage")}
                )
        apply_changes(s, ctx, stage, values, "stage")
        return stage.version


def reorder_stages(ctx: Context, pipeline_id: int, stage_ids: Sequence[int]) -> None:
    """Put the pipeline's stages in the order of ``stage_ids`` (all of them, once each)."""
    ctx.require(R.REFBOOKS_EDIT)
    with writing(ctx) as s:
        if s.get(Pipeline, pipeline_id) is None:
            raise NotFound(_("Pipeline"), pipeline_id)
        stages = {
            st.id: st for st in s.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id))
        }
        if sorted(stage_ids) != sorted(stages) or len(set(stage_ids)) != len(stage_ids):
            raise ValidationFailed({"stages": _("Give every stage of the pipeline exactly once")})
        wanted = {stage_id: no for no, stage_id in enumerate(stage_ids, start=1)}
        before = {i: st.sort_no for i, st in stages.items()}
        if all(before[i] == no for i, no in wanted.items()):
            return
        # (pipeline_id, sort_no) is unique: park every stage on a free negative number first.
        s.execute(
            update(Stage)
            .where(Stage.pipeline_id == pipeline_id)
            .values(sort_no=-Stage.id)
            .execution_options(synchronize_session=False)
        )
        for stage_id, no in wanted.items():
            stage = stages[stage_id]
            s.refresh(stage)
            stage.sort_no = no
            stage.updated_by = ctx.user_id
        s.flush()
        for stage_id, no in wanted.items():
            if before[stage_id] != no:
                audit.record(
                    s,
                    ctx,
                    AuditAction.UPDATE,
                    "stage",
                    stage_id,
                    {"sort_no": [before[stage_id], no]},
                )
