"""Interactions, plans and calendar views (K1–K3).

- ``log_interaction`` records a done interaction; ``plan_event`` a planned one with a
  reminder; ``complete_event`` closes a plan with its result and suggests the next plan.
- Every done interaction keeps ``companies.last_contact_at`` (C8) in the same
  transaction: ``max(existing, done_at)`` when one is added, recomputed from the
  remaining done events when one is deleted or moved. That column is derived: it is
  written with a plain UPDATE that neither bumps the company's version (a card open in
  another window stays saveable) nor its ``updated_at``.
- Views (day, week, month, overdue, a client's history and plans, due reminders) are
  range queries on ``event_at`` (the ``(responsible_id, event_at)`` index); local days
  become UTC ranges with ``qstui.domain.calendar``.
- Everything that depends on the clock takes ``now`` (naive UTC, default ``utcnow()``).

Rights: reads of the calendar need ``calendar``, a client's history ``clients``, every
write ``edit``, deleting ``delete``; every query is filtered by ``event_visible``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Deal,
    Event,
    EventResult,
    EventType,
    Product,
)
from qstui.domain import calendar as cal
from qstui.domain.calendar import (
    Completion,
    DayAgenda,
    EventCard,
    EventInput,
    EventRow,
    ManagerRef,
    PeriodView,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.domain.names import person_name
from qstui.domain.paging import Page
from qstui.domain.text import multi_line, one_line, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.calendar.event_types import type_label
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import (
    company_visible,
    event_visible,
    owned_by_visible,
    sees_all,
)

KIND = "event"
SUBJECT_MAX = 250
RESULT_TEXT_MAX = 2000
NOTES_MAX = 4000
REMIND_MAX = 60 * 24 * 30  # a month ahead at most
DURATION_MAX = 60 * 24 * 7
NEXT_PLAN_AT = time(10, 0)  # local time of the suggested next plan

EDITABLE = frozenset(
    {
        "event_type",
        "subject",
        "event_at",
        "company_id",
        "contact_id",
        "deal_id",
        "product_id",
        "result_id",
        "result_text",
        "notes",
        "responsible_id",
        "remind_minutes",
        "duration_min",
        "done_at",
    }
)


# --- helpers -----------------------------------------------------------------------------


def _what() -> str:
    return _("Interaction")


def _require_any(ctx: Context, *rights: str) -> None:
    if not any(ctx.has(right) for right in rights):
        ctx.require(rights[0])


def _moment(value: datetime) -> datetime:
    return value.replace(microsecond=0, tzinfo=None)


def _visible_company(s: Session, ctx: Context, company_id: int) -> tuple[int, int | None]:
    """(id, manager_id) of a company the user sees; NotFound otherwise."""
    row = s.execute(
        select(Company.id, Company.manager_id).where(Company.id == company_id, company_visible(ctx))
    ).first()
    if row is None:
        raise NotFound(_("Company"), company_id)
    return row.id, row.manager_id


def _visible_event(s: Session, ctx: Context, event_id: int, version: int | None) -> Event:
    """The event to change: NotFound unless visible, Conflict on a stale version."""
    visible = s.scalar(select(Event.id).where(Event.id == event_id, event_visible(ctx)))
    if visible is None:
        raise NotFound(_what(), event_id)
    return load_for_update(s, Event, event_id, _what(), version)


def check_user_visible(s: Session, ctx: Context, user_id: int) -> None:
    """NotFound for an unknown user, AccessDenied for one whose calendar ``ctx`` may
    not open (own calendar: ``see.own``; colleagues: ``see.department`` / ``see.all``)."""
    if s.scalar(select(AppUser.id).where(AppUser.id == user_id)) is None:
        raise NotFound(_("User"), user_id)
    if ctx.is_system or sees_all(ctx):
        return
    visible = s.scalar(
        select(AppUser.id).where(AppUser.id == user_id, owned_by_visible(ctx, AppUser.id))
    )
    if visible is None:
        raise AccessDenied(R.SEE_DEPARTMENT, _("You may not open the calendar of another manager"))


def _whose(s: Session, ctx: Context, user_id: int | None) -> int | None:
    """The user a view is about: ``user_id`` (checked), or the current user; None (all
    visible managers) only for the system context."""
    if user_id is None:
        if ctx.is_system:
            return None
        user_id = ctx.user_id
    assert user_id is not None
    check_user_visible(s, ctx, user_id)
    return user_id


def _resolve_type(s: Session, value: str | int | None) -> tuple[int | None, str | None]:
    """(type id, error) for a type code or id; only active types are accepted."""
    if value is None or value == "":
        return None, _("Choose the interaction type")
    query = select(EventType.id, EventType.is_active)
    if isinstance(value, int) and not isinstance(value, bool):
        query = query.where(EventType.id == value)
    else:
        query = query.where(EventType.code == str(value).strip().lower())
    row = s.execute(query).first()
    if row is None:
        return None, _("Unknown interaction type «{type}»").format(type=value)
    if not row.is_active:
        return None, _("The interaction type «{type}» is no longer used").format(type=value)
    return row.id, None


def _validate(
    s: Session,
    ctx: Context,
    final: dict[str, Any],
    changed: Iterable[str],
    *,
    done_limit: datetime | None = None,
) -> dict[str, Any]:
    """Check the event's final field values (only the ``changed`` references are looked
    up); returns the column values to store. Raises one ``ValidationFailed`` with a
    message per bad field, or NotFound for a company the user does not see."""
    changed = set(changed)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    if "event_type" in changed:
        type_id, problem = _resolve_type(s, final.get("event_type"))
        if problem:
            errors["type"] = problem
        values["type_id"] = type_id

    if "subject" in changed:
        subject = one_line(final.get("subject")) or ""
        if not subject:
            errors["subject"] = _("A subject is required")
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = too_long(SUBJECT_MAX)
        values["subject"] = subject

    for key, limit in (("result_text", RESULT_TEXT_MAX), ("notes", NOTES_MAX)):
        if key in changed:
            text = multi_line(final.get(key))
            if text is not None and len(text) > limit:
                errors[key] = too_long(limit)
            values[key] = text

    if "event_at" in changed:
        event_at = final.get("event_at")
        if not isinstance(event_at, datetime):
            errors["event_at"] = _("A date and time are required")
        else:
            values["event_at"] = _moment(event_at)
    if "done_at" in changed and final.get("done_at") is not None:
        done_at = final["done_at"]
        if not isinstance(done_at, datetime):
            errors["done_at"] = _("A date and time are required")
        else:
            values["done_at"] = _moment(done_at)
    if done_limit is not None:
        for key in ("event_at", "done_at"):
            moment = values.get(key)
            if moment is not None and moment > done_limit:
                errors[key] = _("A done interaction cannot be in the future")

    if "remind_minutes" in changed:
        minutes = final.get("remind_minutes")
        if minutes is not None and (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 0 <= minutes <= REMIND_MAX
        ):
            errors["remind"] = _("A reminder is 0–{n} minutes before the event").format(
                n=REMIND_MAX
            )
    if "duration_min" in changed:
        minutes = final.get("duration_min")
        if minutes is not None and (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= DURATION_MAX
        ):
            errors["duration"] = _("A duration is 1–{n} minutes").format(n=DURATION_MAX)
        values["duration_min"] = minutes

    company_id = final.get("company_id")
    company_manager: int | None = None
    if "company_id" in changed:
        if company_id is not None:
            company_id, company_manager = _visible_company(s, ctx, company_id)
        values["company_id"] = company_id
    company_changed = "company_id" in changed

    if "contact_id" in changed or company_changed:
        contact_id = final.get("contact_id")
        if contact_id is not None:
            owner = s.scalar(select(Contact.company_id).where(Contact.id == contact_id))
            if owner is None or owner != company_id:
                errors["contact"] = _("The contact person «{id}» is not of this company").format(
                    id=contact_id
                )
        values["contact_id"] = contact_id

    if "deal_id" in changed or company_changed:
        deal_id = final.get("deal_id")
        if deal_id is not None:
            owner = s.scalar(select(Deal.company_id).where(Deal.id == deal_id))
            if owner is None or owner != company_id:
                errors["deal"] = _("The deal «{id}» is not of this company").format(id=deal_id)
        values["deal_id"] = deal_id

    if "product_id" in changed:
        product_id = final.get("product_id")
        if product_id is not None and (
            s.scalar(select(Product.id).where(Product.id == product_id)) is None
        ):
            errors["product"] = _("Unknown product «{id}»").format(id=product_id)
        values["product_id"] = product_id

    if "result_id" in changed:
        result_id = final.get("result_id")
        if result_id is not None:
            active = s.scalar(select(EventResult.is_active).where(EventResult.id == result_id))
            if not active:
                errors["result"] = _("Unknown interaction result «{id}»").format(id=result_id)
        values["result_id"] = result_id

    if "responsible_id" in changed:
        responsible = final.get("responsible_id")
        if responsible is None:
            responsible = ctx.user_id if not ctx.is_system else company_manager
        if responsible is None:
            errors["responsible"] = _("Choose the responsible manager")
        else:
            exists_ = s.scalar(select(AppUser.id).where(AppUser.id == responsible))
            visible = ctx.is_system or s.scalar(
                select(AppUser.id).where(
                    AppUser.id == responsible, owned_by_visible(ctx, AppUser.id)
                )
            )
            if exists_ is None or not visible:
                errors["responsible"] = _(
                    "You may not assign interactions to the user «{id}»"
                ).format(id=responsible)
        values["responsible_id"] = responsible

    if errors:
        raise ValidationFailed(errors)
    return values


def _remind_at(event_at: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else event_at - timedelta(minutes=minutes)


def touch_last_contact(s: Session, company_id: int | None, done_at: datetime | None) -> None:
    """``last_contact_at = max(last_contact_at, done_at)`` (C8), without touching the
    company's version or ``updated_at``."""
    if company_id is None or done_at is None:
        return
    table = Company.__table__
    s.execute(
        update(table)
        .where(
            table.c.id == company_id,
            or_(table.c.last_contact_at.is_(None), table.c.last_contact_at < done_at),
        )
        .values(last_contact_at=done_at, updated_at=table.c.updated_at)
    )


def recompute_last_contact(s: Session, company_id: int | None) -> None:
    """``last_contact_at`` from the company's remaining done events (None if none)."""
    if company_id is None:
        return
    s.flush()
    latest = (
        select(func.max(Event.done_at))
        .where(Event.company_id == company_id, Event.status == EventStatus.DONE)
        .scalar_subquery()
    )
    table = Company.__table__
    s.execute(
        update(table)
        .where(table.c.id == company_id)
        .values(last_contact_at=latest, updated_at=table.c.updated_at)
    )


# --- writing -----------------------------------------------------------------------------


def log_interaction(
    ctx: Context,
    company_id: int | None,
    event_type: str | int,
    subject: str,
    when: datetime | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    product_id: int | None = None,
    result_id: int | None = None,
    result_text: str | None = None,
    notes: str | None = None,
    responsible_id: int | None = None,
    duration_min: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a done interaction (K1) held at ``when`` (default: now, UTC); returns its id.
    Keeps the company's ``last_contact_at``."""
    ctx.require(R.EDIT)
    now = now or utcnow()
    when = when or now
    final = {
        "event_type": event_type,
        "subject": subject,
        "event_at": when,
        "company_id": company_id,
        "contact_id": contact_id,
        "deal_id": deal_id,
        "product_id": product_id,
        "result_id": result_id,
        "result_text": result_text,
        "notes": notes,
        "responsible_id": responsible_id,
        "duration_min": duration_min,
    }
    with writing(ctx) as s:
        values = _validate(s, ctx, final, final.keys(), done_limit=_moment(now))
        event = Event(
            **values,
            done_at=values["event_at"],
            status=EventStatus.DONE,
            created_by=ctx.user_id,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, event, KIND)
        touch_last_contact(s, event.company_id, event.done_at)
        return event.id


def plan_event(
    ctx: Context,
    company_id: int | None,
    event_type: str | int,
    subject: str,
    event_at: datetime,
    remind_minutes: int | None = 15,
    contact_id: int | None = None,
    deal_id: int | None = None,
    product_id: int | None = None,
    notes: str | None = None,
    responsible_id: int | None = None,
    duration_min: int | None = None,
) -> int:
    """Plan an interaction at ``event_at`` (UTC) with a reminder ``remind_minutes``
    before it (None: no reminder) (K2); returns its id."""
    ctx.require(R.EDIT)
    final = {
        "event_type": event_type,
        "subject": subject,
        "event_at": event_at,
        "remind_minutes": remind_minutes,
        "company_id": company_id,
        "contact_id": contact_id,
        "deal_id": deal_id,
        "product_id": product_id,
        "notes": notes,
        "responsible_id": responsible_id,
        "duration_min": duration_min,
    }
    with writing(ctx) as s:
        values = _validate(s, ctx, final, final.keys())
        event = Event(
            **values,
            status=EventStatus.PLANNED,
            remind_at=_remind_at(values["event_at"], remind_minutes),
            created_by=ctx.user_id,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, event, KIND)
        return event.id


def plan_from(ctx: Context, plan: EventInput) -> int:
    """``plan_event`` from a (possibly edited) suggestion."""
    return plan_event(ctx, **plan.kwargs())


def suggest_next(event: Event | EventRow, done_at: datetime) -> EventInput:
    """The next plan after ``event``: same company, contact, deal, type, responsible and
    subject, on the next working day at 10:00 local time."""
    day = cal.next_working_day(cal.local_day(done_at))
    return EventInput(
        company_id=event.company_id,
        event_type=event.type_id,
        subject=event.subject,
        event_at=cal.to_utc(datetime.combine(day, NEXT_PLAN_AT)),
        remind_minutes=15,
        contact_id=event.contact_id,
        deal_id=event.deal_id,
        product_id=getattr(event, "product_id", None),
        responsible_id=event.responsible_id,
        duration_min=event.duration_min,
    )


def complete_event(
    ctx: Context,
    event_id: int,
    version: int,
    result_id: int | None = None,
    result_text: str | None = None,
    done_at: datetime | None = None,
    now: datetime | None = None,
) -> Completion:
    """Mark a plan done with its result (K2). Returns the new version and the suggested
    next plan (the caller may edit it and pass it to ``plan_from``)."""
    ctx.require(R.EDIT)
    now = now or utcnow()
    done_at = done_at or now
    with writing(ctx) as s:
        event = _visible_event(s, ctx, event_id, version)
        if event.status != EventStatus.PLANNED:
            raise ValidationFailed({"status": _("Only a planned interaction can be completed")})
        final = {"result_id": result_id, "result_text": result_text, "done_at": done_at}
        values = _validate(s, ctx, final, final.keys(), done_limit=_moment(now))
        values["status"] = EventStatus.DONE
        apply_changes(s, ctx, event, values, KIND)
        touch_last_contact(s, event.company_id, event.done_at)
        return Completion(event.id, event.version, suggest_next(event, event.done_at))


def update_event(
    ctx: Context, event_id: int, version: int, *, now: datetime | None = None, **changes: Any
) -> int:
    """Change any of ``EDITABLE`` (``event_type`` takes a code or an id; times are UTC);
    returns the new version. Moving a done interaction moves its ``done_at`` along and
    recomputes the companies' ``last_contact_at``; moving a plan keeps its reminder's
    lead time unless ``remind_minutes`` is given."""
    ctx.require(R.EDIT)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "responsible_id" in changes and changes["responsible_id"] is None:
        del changes["responsible_id"]  # None keeps the current responsible
    now = _moment(now or utcnow())
    with writing(ctx) as s:
        event = _visible_event(s, ctx, event_id, version)
        done = event.status == EventStatus.DONE
        if "done_at" in changes and not done:
            raise ValidationFailed({"done_at": _("Only a done interaction has a done time")})
        final: dict[str, Any] = {
            "event_type": event.type_id,
            "subject": event.subject,
            "event_at": event.event_at,
            "company_id": event.company_id,
            "contact_id": event.contact_id,
            "deal_id": event.deal_id,
            "product_id": event.product_id,
            "result_id": event.result_id,
            "result_text": event.result_text,
            "notes": event.notes,
            "responsible_id": event.responsible_id,
            "duration_min": event.duration_min,
            "done_at": event.done_at,
            **changes,
        }
        values = _validate(s, ctx, final, changes.keys(), done_limit=now if done else None)
        if "event_at" in values:
            shift = values["event_at"] - event.event_at
            if done and "done_at" not in values and event.done_at is not None:
                values["done_at"] = event.done_at + shift
                if values["done_at"] > now:
                    raise ValidationFailed(
                        {"event_at": _("A done interaction cannot be in the future")}
                    )
            if not done and "remind_minutes" not in changes and event.remind_at is not None:
                values["remind_at"] = event.remind_at + shift
        if "remind_minutes" in changes:
            at = values.get("event_at", event.event_at)
            values["remind_at"] = _remind_at(at, changes["remind_minutes"])
        old_company, old_done_at = event.company_id, event.done_at
        apply_changes(s, ctx, event, values, KIND)
        if done and (event.company_id != old_company or event.done_at != old_done_at):
            recompute_last_contact(s, old_company)
            if event.company_id != old_company:
                recompute_last_contact(s, event.company_id)
        return event.version


def reschedule(ctx: Context, event_id: int, version: int, event_at: datetime) -> int:
    """Move a plan to ``event_at`` (UTC), its reminder along; returns the new version."""
    ctx.require(R.EDIT)
    with writing(ctx) as s:
        event = _visible_event(s, ctx, event_id, version)
        if event.status != EventStatus.PLANNED:
            raise ValidationFailed(
                {"status": _("Only a planned interaction can be moved; edit a done one")}
            )
        values = _validate(s, ctx, {"event_at": event_at}, ["event_at"])
        if event.remind_at is not None:
            values["remind_at"] = event.remind_at + (values["event_at"] - event.event_at)
        apply_changes(s, ctx, event, values, KIND)
        return event.version


def cancel_event(ctx: Context, event_id: int, version: int, note: str | None = None) -> int:
    """Cancel a plan (it stays in the history as cancelled); ``note`` is added to the
    notes. Returns the new version."""
    ctx.require(R.EDIT)
    with writing(ctx) as s:
        event = _visible_event(s, ctx, event_id, version)
        if event.status != EventStatus.PLANNED:
            raise ValidationFailed({"status": _("Only a planned interaction can be cancelled")})
        values: dict[str, Any] = {"status": EventStatus.CANCELLED}
        note = multi_line(note)
        if note:
            notes = f"{event.notes}\n{note}" if event.notes else note
            if len(notes) > NOTES_MAX:
                raise ValidationFailed({"notes": too_long(NOTES_MAX)})
            values["notes"] = notes
        apply_changes(s, ctx, event, values, KIND)
        return event.version


def delete_event(ctx: Context, event_id: int, version: int | None = None) -> None:
    """Delete an interaction (right ``delete``); a done one no longer counts for the
    company's ``last_contact_at``."""
    ctx.require(R.DELETE)
    with writing(ctx) as s:
        event = _visible_event(s, ctx, event_id, version)
        company_id, was_done = event.company_id, event.status == EventStatus.DONE
        record_delete(s, ctx, event, KIND)
        if was_done:
            recompute_last_contact(s, company_id)


# --- reading -----------------------------------------------------------------------------

_Type = aliased(EventType)
_Co = aliased(Company)
_Ct = aliased(Contact)
_Dl = aliased(Deal)
_Us = aliased(AppUser)
_Res = aliased(EventResult)


def _rows_query(ctx: Context) -> Select[Any]:
    """Events with the names a list shows; the joined tables are aliased so that the
    visibility subqueries (on the plain tables) stay uncorrelated."""
    return (
        select(
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
        )
        .join(_Type, _Type.id == Event.type_id)
        .join(_Us, _Us.id == Event.responsible_id)
        .outerjoin(_Co, _Co.id == Event.company_id)
        .outerjoin(_Ct, _Ct.id == Event.contact_id)
        .outerjoin(_Dl, _Dl.id == Event.deal_id)
        .outerjoin(_Res, _Res.id == Event.result_id)
        .where(event_visible(ctx))
    )


def _row(r: Any, now: datetime) -> EventRow:
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


def _fetch(s: Session, query: Select[Any], now: datetime) -> list[EventRow]:
    return [_row(r, now) for r in s.execute(query)]


def event_rows(
    s: Session,
    ctx: Context,
    *conditions: Any,
    now: datetime,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[EventRow]:
    """Visible events matching ``conditions`` as rows (for other services' pages)."""
    query = _rows_query(ctx).where(*conditions)
    if newest_first:
        query = query.order_by(Event.event_at.desc(), Event.id.desc())
    else:
        query = query.order_by(Event.event_at, Event.id)
    if limit is not None:
        query = query.limit(limit)
    return _fetch(s, query, now)


def get_event(ctx: Context, event_id: int, now: datetime | None = None) -> EventCard:
    _require_any(ctx, R.CALENDAR, R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        rows = event_rows(s, ctx, Event.id == event_id, now=now)
        if not rows:
            raise NotFound(_what(), event_id)
        creator = aliased(AppUser)
        extra = s.execute(
            select(
                Event.product_id,
                Product.name,
                Event.notes,
                Event.activity_id,
                Event.created_at,
                creator.full_name,
                Event.updated_at,
            )
            .outerjoin(Product, Product.id == Event.product_id)
            .outerjoin(creator, creator.id == Event.created_by)
            .where(Event.id == event_id)
        ).one()
        return EventCard(
            row=rows[0],
            product_id=extra[0],
            product_name=extra[1],
            notes=extra[2],
            activity_id=extra[3],
            created_at=extra[4],
            created_by_name=extra[5],
            updated_at=extra[6],
        )


def _period(
    ctx: Context,
    first: date,
    last: date,
    user_id: int | None,
    now: datetime | None,
    include_cancelled: bool,
) -> PeriodView:
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    start, end = cal.day_range(first, last)
    with ctx.db.reader() as s:
        whose = _whose(s, ctx, user_id)
        conditions = [Event.event_at >= start, Event.event_at < end]
        if whose is not None:
            conditions.append(Event.responsible_id == whose)
        if not include_cancelled:
            conditions.append(Event.status != EventStatus.CANCELLED)
        rows = event_rows(s, ctx, *conditions, now=now)
    by_day: dict[date, list[EventRow]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    days = []
    current = first
    while current <= last:
        days.append(DayAgenda(current, tuple(by_day.get(current, ()))))
        current += timedelta(days=1)
    return PeriodView(first, last, whose, tuple(days))


def day(
    ctx: Context,
    day: date,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
) -> PeriodView:
    """The local ``day`` of ``user_id`` (default: me; the system context: everyone)."""
    return _period(ctx, day, day, user_id, now, include_cancelled)


def week(
    ctx: Context,
    day: date,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
) -> PeriodView:
    """Monday–Sunday of the week ``day`` falls in."""
    first = cal.week_first(day)
    return _period(ctx, first, first + timedelta(days=6), user_id, now, include_cancelled)


def month(
    ctx: Context,
    year: int,
    month: int,
    user_id: int | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
) -> PeriodView:
    if not 1 <= month <= 12:
        raise ValidationFailed({"month": _("A month is 1–12")})
    first = date(year, month, 1)
    return _period(ctx, first, cal.month_last(year, month), user_id, now, include_cancelled)


def overdue(
    ctx: Context, user_id: int | None = None, now: datetime | None = None, limit: int | None = None
) -> list[EventRow]:
    """Plans whose time has passed (the oldest first)."""
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    with ctx.db.reader() as s:
        whose = _whose(s, ctx, user_id)
        conditions = [Event.status == EventStatus.PLANNED, Event.event_at < now]
        if whose is not None:
            conditions.append(Event.responsible_id == whose)
        return event_rows(s, ctx, *conditions, now=now, limit=limit)


def company_history(
    ctx: Context,
    company_id: int,
    limit: int = 50,
    cursor: tuple | None = None,
    backward: bool = False,
    now: datetime | None = None,
) -> Page[EventRow]:
    """A client's done and cancelled interactions, the newest first, a page at a time
    (keyset paging, ``qstui.domain.paging``: pass a row's cursor back as ``cursor``;
    ``backward`` pages towards the newest)."""
    ctx.require(R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        _visible_company(s, ctx, company_id)
        conditions: list[Any] = [
            Event.company_id == company_id,
            Event.status.in_([EventStatus.DONE, EventStatus.CANCELLED]),
        ]
        if cursor is not None:
            at, ident = cursor
            if backward:  # newer than the cursor
                conditions.append(
                    or_(Event.event_at > at, and_(Event.event_at == at, Event.id > ident))
                )
            else:  # older than the cursor
                conditions.append(
                    or_(Event.event_at < at, and_(Event.event_at == at, Event.id < ident))
                )
        rows = event_rows(s, ctx, *conditions, now=now, newest_first=not backward, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    return Page(rows, [(row.event_at, row.id) for row in rows], more, backward)


def company_plans(ctx: Context, company_id: int, now: datetime | None = None) -> list[EventRow]:
    """A client's planned interactions, the earliest first (overdue ones included)."""
    ctx.require(R.CLIENTS)
    now = now or utcnow()
    with ctx.db.reader() as s:
        _visible_company(s, ctx, company_id)
        return event_rows(
            s,
            ctx,
            Event.company_id == company_id,
            Event.status == EventStatus.PLANNED,
            now=now,
        )


def reminders_due(ctx: Context, now: datetime | None = None) -> list[EventRow]:
    """My plans whose reminder time has come and that have not started yet:
    ``remind_at <= now < event_at``."""
    ctx.require(R.CALENDAR)
    now = now or utcnow()
    if ctx.user_id is None:
        return []
    with ctx.db.reader() as s:
        return event_rows(
            s,
            ctx,
            Event.responsible_id == ctx.user_id,
            Event.event_at > now,
            Event.status == EventStatus.PLANNED,
            Event.remind_at <= now,
            now=now,
        )


def visible_managers(ctx: Context) -> list[ManagerRef]:
    """The users whose calendars ``ctx`` may open (for a "manager" chooser), by name."""
    ctx.require(R.CALENDAR)
    with ctx.db.reader() as s:
        query = select(AppUser.id, AppUser.login, AppUser.full_name).order_by(
            AppUser.full_name, AppUser.id
        )
        if not ctx.is_system:
            query = query.where(owned_by_visible(ctx, AppUser.id))
        return [ManagerRef(r.id, r.login, r.full_name) for r in s.execute(query)]
