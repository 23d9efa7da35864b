"""The reference books the demo data points to, read from the database (``db init``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from qstui.db.models import (
    Currency,
    EventResult,
    EventType,
    Industry,
    Pipeline,
    PriceList,
    RefusalReason,
    Region,
    Source,
    Stage,
    Unit,
)
from qstui.domain.errors import ServiceError
from qstui.i18n import _


@dataclass(frozen=True)
class StageRef:
    id: int
    name: str
    days: int
    probability: int


@dataclass(frozen=True)
class PipelineRef:
    id: int
    name: str
    is_default: bool
    stages: tuple[StageRef, ...]

    def index(self, name: str, fallback: int) -> int:
        """Position of the stage called ``name`` (or ``fallback`` from the end if renamed)."""
        for i, stage in enumerate(self.stages):
            if stage.name == name:
                return i
        return max(0, len(self.stages) + fallback) if fallback < 0 else fallback


@dataclass(frozen=True)
class Refs:
    regions: dict[str, int]
    industries: tuple[int, ...]
    sources: tuple[int, ...]
    refusal_reasons: tuple[int, ...]
    event_types: dict[str, int]
    results: dict[str, int]
    units: dict[str, int]
    currencies: tuple[str, ...]
    base_currency: str
    pipelines: tuple[PipelineRef, ...]
    price_list_id: int


def load_refs(conn: Connection) -> Refs:
    """The active reference rows in id order; a clear error if ``db init`` was not run."""

    def ids(model: type) -> tuple[int, ...]:
        query = select(model.id).order_by(model.id)
        if hasattr(model, "is_active"):
            query = query.where(model.is_active.is_(True))
        return tuple(conn.scalars(query))

    pipelines = []
    for p in conn.execute(
        select(Pipeline.id, Pipeline.name, Pipeline.is_default)
        .where(Pipeline.is_active.is_(True))
        .order_by(Pipeline.sort_no, Pipeline.id)
    ):
        stages = tuple(
            StageRef(s.id, s.name, s.days or 5, s.probability)
            for s in conn.execute(
                select(Stage.id, Stage.name, Stage.days, Stage.probability)
                .where(Stage.pipeline_id == p.id, Stage.is_active.is_(True))
                .order_by(Stage.sort_no)
            )
        )
        if len(stages) >= 2:
            pipelines.append(PipelineRef(p.id, p.name, bool(p.is_default), stages))
    currencies = list(conn.execute(select(Currency.code, Currency.is_base).order_by(Currency.id)))
    price_list = conn.scalar(
        select(PriceList.id).order_by(PriceList.is_default.desc(), PriceList.id).limit(1)
    )
    refs = Refs(
        regions=dict(conn.execute(select(Region.code, Region.id)).all()),
        industries=ids(Industry),
        sources=ids(Source),
        refusal_reasons=ids(RefusalReason),
        event_types=dict(
            conn.execute(
                select(EventType.code, EventType.id).where(EventType.is_active.is_(True))
            ).all()
        ),
        results=dict(
            conn.execute(
                select(EventResult.name, EventResult.id).where(EventResult.is_active.is_(True))
            ).all()
        ),
        units=dict(conn.execute(select(Unit.okei_code, Unit.id)).all()),
        currencies=tuple(c.code for c in currencies),
        base_currency=next((c.code for c in currencies if c.is_base), "RUB"),
        pipelines=tuple(pipelines),
        price_list_id=price_list or 0,
    )
    if not (refs.regions and refs.pipelines and refs.event_types and price_list):
        raise ServiceError(_("The database has no reference books: run “qstui db init” first"))
    return refs
