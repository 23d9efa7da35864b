"""The reports' narrow copies (``deal_facts``, ``stage_facts``, ``event_facts``)
recomputed from the rows they copy: what the triggers of migration 0021 must have written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import (
    Company,
    Deal,
    DealFact,
    DealStage,
    Event,
    EventFact,
    EventHour,
    StageFact,
)

DEAL_COLUMNS = (
    "company_id",
    "manager_id",
    "pipeline_id",
    "stage_id",
    "status",
    "currency_code",
    "amount",
    "started_on",
    "closed_on",
    "planned_end_on",
    "debt",
    "billed_on",
    "rate_missing",
)
STAGE_COLUMNS = ("deal_id", "stage_id", "started_on", "due_on", "done_on", "deal_open")
EVENT_COLUMNS = (
    "company_id",
    "responsible_id",
    "type_id",
    "status",
    "event_at",
    "deal_id",
    "product_id",
)


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return getattr(value, "value", value)  # an enum as its stored text


def _rows(s: Any, query: Any) -> dict[int, tuple[Any, ...]]:
    return {row[0]: tuple(_plain(v) for v in row[1:]) for row in s.execute(query)}


def fact_differences(db: Database) -> list[str]:
    """Every way the copies differ from the deals, their stage rows and their clients
    (empty when they are right)."""
    with db.reader() as s:
        deal_cols = [getattr(Deal, name) for name in DEAL_COLUMNS]
        expected_deals = _rows(
            s,
            select(Deal.id, Company.manager_id, *deal_cols).join(
                Company, Company.id == Deal.company_id
            ),
        )
        kept_deals = _rows(
            s,
            select(
                DealFact.deal_id,
                DealFact.client_manager_id,
                *(getattr(DealFact, name) for name in DEAL_COLUMNS),
            ),
        )
        stage_cols = [getattr(DealStage, name) for name in STAGE_COLUMNS]
        expected_stages = _rows(
            s,
            select(
                DealStage.id,
                *stage_cols,
                Deal.company_id,
                Company.manager_id,
                Deal.manager_id,
                Deal.pipeline_id,
                Deal.started_on,
            )
            .join(Deal, Deal.id == DealStage.deal_id)
            .join(Company, Company.id == Deal.company_id),
        )
        kept_stages = _rows(
            s,
            select(
                StageFact.id,
                *(getattr(StageFact, name) for name in STAGE_COLUMNS),
                StageFact.company_id,
                StageFact.client_manager_id,
                StageFact.manager_id,
                StageFact.pipeline_id,
                StageFact.deal_started_on,
            ),
        )
        expected_events = _rows(
            s,
            select(
                Event.id, Company.manager_id, *(getattr(Event, n) for n in EVENT_COLUMNS)
            ).outerjoin(Company, Company.id == Event.company_id),
        )
        kept_events = _rows(
            s,
            select(
                EventFact.id,
                EventFact.client_manager_id,
                *(getattr(EventFact, n) for n in EVENT_COLUMNS),
            ),
        )
        hours: dict[tuple[Any, ...], int] = {}
        for responsible, type_id, at in s.execute(
            select(Event.responsible_id, Event.type_id, Event.event_at).where(
                Event.status == "done"
            )
        ):
            key = (at.replace(minute=0, second=0, microsecond=0), responsible, type_id)
            hours[key] = hours.get(key, 0) + 1
        counted: dict[tuple[Any, ...], int] = {}
        for hour, responsible, type_id, done in s.execute(
            select(EventHour.at_hour, EventHour.responsible_id, EventHour.type_id, EventHour.done)
        ):
            key = (hour, responsible, type_id)
            counted[key] = counted.get(key, 0) + done
    out = [
        f"hour {key}: {hours.get(key, 0)} done, counted {counted.get(key, 0)}"
        for key in sorted(set(hours) | {k for k, n in counted.items() if n})
        if hours.get(key, 0) != counted.get(key, 0)
    ]
    for what, expected, kept in (
        ("deal", expected_deals, kept_deals),
        ("stage row", expected_stages, kept_stages),
        ("interaction", expected_events, kept_events),
    ):
        for key in sorted(set(expected) | set(kept)):
            if expected.get(key) != kept.get(key):
                out.append(f"{what} {key}: expected {expected.get(key)}, kept {kept.get(key)}")
    return out
