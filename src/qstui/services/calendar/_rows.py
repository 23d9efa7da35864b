"""Events as the calendar's rows: the columns a list shows, joined to the names, and
their conversion to ``EventRow`` (no rights checks, no visibility of their own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Deal,
    Event,
    EventResult,
    EventType,
)
from qstui.domain import calendar as cal
from qstui.domain.calendar import EventRow
from qstui.domain.enums import EventStatus
from qstui.domain.names import person_name
from qstui.services.calendar.event_types import type_label

# The joined tables are aliased so that the visibility subqueries (on the plain tables)
# stay uncorrelated.
_Type = aliased(EventType)
_Co = aliased(Company)
_Ct = aliased(Contact)
_Dl = aliased(Deal)
_Us = aliased(AppUser)
_Res = aliased(EventResult)


def _columns() -> list[Any]:
    return [
        Event.id,
        Event.version,
        Event.event_at,
        Event.status,
        Event.type_id,
        _Type.code.label("type_code"),
        _Type.name.label("type_name"),
        _Type.name_en.label("type_name_en"),
        Event.subject,
        Event.company_id,
        _Co.name.label("company_name"),
        Event.contact_id,
        _Ct.last_name,
        _Ct.first_name,
        _Ct.middle_name,
        Event.deal_id,
        _Dl.title.label("deal_title"),
        Event.responsible_id,
        _Us.full_name.label("responsible_name"),
        Event.result_id,
        _Res.name.label("result_name"),
        Event.result_text,
        Event.done_at,
        Event.remind_at,
        Event.duration_min,
    ]


def _names(stmt: Select[Any], *, outer: bool) -> Select[Any]:
    """``stmt`` (reading ``events``) joined to the names a list shows. Every event has a
    type and a responsible: inner joins, unless ``outer`` (see ``picked_query``)."""
    for table, key in ((_Type, Event.type_id), (_Us, Event.responsible_id)):
        stmt = (
            stmt.outerjoin(table, table.id == key) if outer else stmt.join(table, table.id == key)
        )
    return (
        stmt.outerjoin(_Co, _Co.id == Event.company_id)
        .outerjoin(_Ct, _Ct.id == Event.contact_id)
        .outerjoin(_Dl, _Dl.id == Event.deal_id)
        .outerjoin(_Res, _Res.id == Event.result_id)
    )


def columns_query() -> Select[Any]:
    """Events with the names a list shows, not yet filtered by visibility."""
    return _names(select(*_columns()), outer=False)


def picked_query(picked: Subquery) -> Select[Any]:
    """``columns_query`` of the events whose ids a subquery picked (its ``id``).

    Outer joins all the way from the picked ids, although every event has its type and
    its responsible: Firebird keeps the written order of outer joins, so it reads the
    few picked ids first and looks each one up by its key. With inner joins it
    hash-joined them with every event of the table (2 s for a day of 100 rows)."""
    stmt = select(*_columns()).select_from(picked).outerjoin(Event, Event.id == picked.c.id)
    return _names(stmt, outer=True)


def to_row(r: Any, now: datetime) -> EventRow:
    status = EventStatus(r.status)
    return EventRow(
        id=r.id,
        version=r.version,
        event_at=r.event_at,
        local_at=cal.to_local(r.event_at),
        status=status,
        overdue=status == EventStatus.PLANNED and r.event_at < now,
        type_id=r.type_id,
        type_code=r.type_code,
        type_name=type_label(r.type_name, r.type_name_en),
        subject=r.subject,
        company_id=r.company_id,
        company_name=r.company_name,
        contact_id=r.contact_id,
        contact_name=person_name(r.last_name, r.first_name, r.middle_name),
        deal_id=r.deal_id,
        deal_title=r.deal_title,
        responsible_id=r.responsible_id,
        responsible_name=r.responsible_name,
        result_id=r.result_id,
        result_name=r.result_name,
        result_text=r.result_text,
        done_at=r.done_at,
        remind_at=r.remind_at,
        duration_min=r.duration_min,
    )


def fetch(s: Session, query: Select[Any], now: datetime) -> list[EventRow]:
    return [to_row(r, now) for r in s.execute(query)]
