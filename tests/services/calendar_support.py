"""Test data for the calendar, claims, contact analysis and start page tests: users made
with the users service, clients and deals written directly with the ORM, local time
fixed to Moscow (UTC+3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from qstui.db.engine import Database
from qstui.db.models import (
    AuditEntry,
    Company,
    Contact,
    Deal,
    DealStage,
    Department,
    Event,
    EventResult,
    EventType,
    Pipeline,
    Stage,
)
from qstui.domain import calendar as cal
from qstui.domain import clock
from qstui.domain.enums import DealStatus, Role
from qstui.domain.normalize import company_name, fold
from qstui.services.access.users import create_user
from qstui.services.context import Context, context_for

PASSWORD = "Test-Пароль-1"


@contextmanager
def moscow_time() -> Iterator[None]:
    """Local time is UTC+3 while the block runs."""
    before = clock.zone()
    clock.set_zone("+03:00")
    try:
        yield
    finally:
        clock.set_zone(before)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Moscow wall-clock time as the naive UTC the database stores."""
    return cal.to_utc(datetime(year, month, day, hour, minute))


@dataclass
class Team:
    """Sales: the head ``head`` and the managers ``anna``, ``boris``; Support: ``vera``."""

    system: Context
    anna: Context
    boris: Context
    vera: Context
    head: Context

    def id(self, who: str) -> int:
        user_id = getattr(self, who).user_id
        assert user_id is not None
        return user_id


def make_team(db: Database) -> Team:
    system = Context.system(db)
    for login, role, department in (
        ("anna", Role.MANAGER, "Продажи"),
        ("boris", Role.MANAGER, "Продажи"),
        ("vera", Role.MANAGER, "Поддержка"),
        ("head", Role.HEAD, "Продажи"),
    ):
        create_user(system, login, login.title(), role, PASSWORD, department)
    return Team(
        system=system,
        anna=context_for(db, "anna"),
        boris=context_for(db, "boris"),
        vera=context_for(db, "vera"),
        head=context_for(db, "head"),
    )


def add(db: Database, obj: Any) -> int:
    with db.transaction() as s:
        s.add(obj)
        s.flush()
        return obj.id


def company(
    db: Database, name: str, manager_id: int | None, last_contact_at: datetime | None = None
) -> int:
    return add(
        db,
        Company(
            name=name,
            name_fold=fold(name),
            name_key=company_name(name),
            manager_id=manager_id,
            last_contact_at=last_contact_at,
        ),
    )


def contact(db: Database, company_id: int, last_name: str, first_name: str | None = None) -> int:
    return add(
        db,
        Contact(
            company_id=company_id,
            last_name=last_name,
            first_name=first_name,
            name_fold=fold(f"{last_name} {first_name or ''}"),
        ),
    )


def pipeline_stages(db: Database) -> tuple[int, list[int]]:
    with db.reader() as s:
        pipeline_id = s.scalar(select(Pipeline.id).order_by(Pipeline.id).limit(1))
        stages = list(
            s.scalars(
                select(Stage.id).where(Stage.pipeline_id == pipeline_id).order_by(Stage.sort_no)
            )
        )
    assert pipeline_id is not None and stages
    return pipeline_id, stages


def deal(
    db: Database,
    company_id: int,
    manager_id: int | None,
    title: str,
    amount: str = "0",
    currency: str = "RUB",
    status: DealStatus = DealStatus.OPEN,
) -> int:
    pipeline_id, stages = pipeline_stages(db)
    return add(
        db,
        Deal(
            title=title,
            title_fold=fold(title),
            company_id=company_id,
            manager_id=manager_id,
            pipeline_id=pipeline_id,
            stage_id=stages[0],
            started_on=date(2026, 1, 10),
            currency_code=currency,
            status=status,
            amount=Decimal(amount),
        ),
    )


def deal_stage(
    db: Database,
    deal_id: int,
    stage_id: int,
    responsible_id: int | None,
    due_on: date | None,
    done_on: date | None = None,
) -> int:
    return add(
        db,
        DealStage(
            deal_id=deal_id,
            stage_id=stage_id,
            responsible_id=responsible_id,
            due_on=due_on,
            done_on=done_on,
        ),
    )


def department_id(db: Database, name: str) -> int:
    with db.reader() as s:
        found = s.scalar(select(Department.id).where(Department.name == name))
    assert found is not None
    return found


def type_id(db: Database, code: str) -> int:
    with db.reader() as s:
        found = s.scalar(select(EventType.id).where(EventType.code == code))
    assert found is not None
    return found


def result_id(db: Database, name: str) -> int:
    with db.reader() as s:
        found = s.scalar(select(EventResult.id).where(EventResult.name == name))
    assert found is not None
    return found


def last_contact(db: Database, company_id: int) -> datetime | None:
    with db.reader() as s:
        return s.scalar(select(Company.last_contact_at).where(Company.id == company_id))


def company_version(db: Database, company_id: int) -> int:
    with db.reader() as s:
        found = s.scalar(select(Company.version).where(Company.id == company_id))
    assert found is not None
    return found


def event_values(db: Database, event_id: int) -> dict[str, Any] | None:
    with db.reader() as s:
        event = s.get(Event, event_id)
        if event is None:
            return None
        return {c.key: getattr(event, c.key) for c in Event.__table__.columns}


def count(db: Database, model: Any) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def audit_count(db: Database) -> int:
    return count(db, AuditEntry)


@contextmanager
def event_refbooks_restored(db: Database) -> Iterator[None]:
    """Undo changes to the interaction types and results (reference books survive the
    per-test wipe): rows added are deleted (with their events), edited ones restored."""
    type_cols = ("code", "name", "name_en", "is_active", "sort_no", "is_system")
    with db.reader() as s:
        types = {t.id: {c: getattr(t, c) for c in type_cols} for t in s.scalars(select(EventType))}
        results = {
            r.id: {"name": r.name, "is_active": r.is_active} for r in s.scalars(select(EventResult))
        }
    try:
        yield
    finally:
        with db.transaction() as s:
            new_types = [t for t in s.scalars(select(EventType.id)) if t not in types]
            new_results = [r for r in s.scalars(select(EventResult.id)) if r not in results]
            if new_types:
                s.execute(delete(Event).where(Event.type_id.in_(new_types)))
                s.execute(delete(EventType).where(EventType.id.in_(new_types)))
            if new_results:
                s.execute(
                    update(Event).where(Event.result_id.in_(new_results)).values(result_id=None)
                )
                s.execute(delete(EventResult).where(EventResult.id.in_(new_results)))
            for ident, values in types.items():
                s.execute(update(EventType).where(EventType.id == ident).values(**values))
            for ident, values in results.items():
                s.execute(update(EventResult).where(EventResult.id == ident).values(**values))
