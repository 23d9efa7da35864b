"""Default reference books (S1) loaded by ``qstui db init``: regions, industries,
sources, refusal reasons, interaction types and results, units, currencies, the default
pipelines, and the rights of the role presets. Loading again adds only what is missing.

Plain database work on the reference data shipped in ``data/refbooks`` and the presets of
``domain.rights``: ``db.setup.init_database`` runs it, and tests, the demo and the
benchmarks call it on a fresh schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.models import (
    Currency,
    EventResult,
    EventType,
    Industry,
    Pipeline,
    PriceList,
    RefusalReason,
    Region,
    RoleRight,
    Source,
    Stage,
    Unit,
)
from qstui.domain import rights as R
from qstui.resources import read_csv, read_json


def _add_missing(
    session: Session, model: Any, key: str, rows: list[dict[str, Any]], make: Callable[..., Any]
) -> int:
    existing = set(session.scalars(select(getattr(model, key))).all())
    added = 0
    for row in rows:
        if row[key] in existing:
            continue
        session.add(make(**row))
        existing.add(row[key])
        added += 1
    return added


def load_defaults(db: Database) -> dict[str, int]:
    """Insert the default reference books that are not there yet; returns counts added."""
    added: dict[str, int] = {}
    with db.transaction() as s:
        added["regions"] = _add_missing(s, Region, "code", read_csv("refbooks/regions.csv"), Region)
        for model, name in (
            (Industry, "industries"),
            (Source, "sources"),
            (EventResult, "event_results"),
        ):
            added[name] = _add_missing(s, model, "name", read_csv(f"refbooks/{name}.csv"), model)
        reasons = [
            {"name": r["name"], "sort_no": i}
            for i, r in enumerate(read_csv("refbooks/refusal_reasons.csv"))
        ]
        added["refusal_reasons"] = _add_missing(s, RefusalReason, "name", reasons, RefusalReason)
        types = [
            {
                "code": r["code"],
                "name": r["name_ru"],
                "name_en": r["name_en"],
                "is_system": r["is_system"] == "1",
                "sort_no": i,
            }
            for i, r in enumerate(read_csv("refbooks/event_types.csv"))
        ]
        added["event_types"] = _add_missing(s, EventType, "code", types, EventType)
        added["units"] = _add_missing(s, Unit, "okei_code", read_csv("refbooks/units.csv"), Unit)
        currencies = [
            {
                "code": r["code"],
                "num_code": r["num_code"],
                "name": r["name"],
                "symbol": r["symbol"],
                "is_base": r["is_base"] == "1",
            }
            for r in read_csv("refbooks/currencies.csv")
        ]
        added["currencies"] = _add_missing(s, Currency, "code", currencies, Currency)
        s.flush()
        added["pipelines"] = _load_pipelines(s)
        if s.scalar(select(PriceList.id).limit(1)) is None:
            s.add(PriceList(name="Базовая", currency_code="RUB", is_default=True))
            added["price_lists"] = 1
        _role_rights(s)
    return added


def _load_pipelines(s: Session) -> int:
    existing = set(s.scalars(select(Pipeline.name)).all())
    added = 0
    for order, spec in enumerate(read_json("refbooks/pipelines.json")):
        if spec["name"] in existing:
            continue
        pipeline = Pipeline(
            name=spec["name"], is_default=bool(spec.get("is_default")), sort_no=order
        )
        s.add(pipeline)
        s.flush()
        for no, stage in enumerate(spec["stages"], start=1):
            s.add(
                Stage(
                    pipeline_id=pipeline.id,
                    name=stage["name"],
                    sort_no=no,
                    probability=int(stage.get("probability", 0)),
                    days=stage.get("days"),
                )
            )
        added += 1
    return added


def _role_rights(s: Session) -> None:
    s.execute(delete(RoleRight))
    for role, codes in R.PRESETS.items():
        for code in sorted(codes):
            s.add(RoleRight(role=role, right_code=code))
