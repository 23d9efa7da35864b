"""Writing interactions and plans (K1–K3); reading them is ``calendar.lists``.

- ``log_interaction`` records a done interaction; ``plan_event`` a planned one with a
  reminder; ``complete_event`` closes a plan with its result and suggests the next plan.
- Every done interaction keeps ``companies.last_contact_at`` (C8) in the same
  transaction: ``max(existing, done_at)`` when one is added, recomputed from the
  remaining done events when one is deleted or moved. That column is derived: it is
  written with a plain UPDATE that neither bumps the company's version (a card open in
  another window stays saveable) nor its ``updated_at``, as the last statement before
  the commit, and one that waits for a concurrent writer of the company's row
  (``db.locks.execute_waiting``): interactions logged at once on one client are all
  saved, never refused as a conflict the user had no part in.
- Everything that depends on the clock takes ``now`` (naive UTC, default ``utcnow()``).

Rights: every write needs ``edit``, deleting ``delete``; an event is changed only when
``event_visible``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from qstui.db.locks import execute_waiting
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
    EventInput,
    EventRow,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import multi_line, one_line, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.calendar._access import visible_company, what
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import (
    event_visible,
    owned_by_visible,
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


def _moment(value: datetime) -> datetime:
    return value.replace(microsecond=0, tzinfo=None)


def _visible_event(s: Session, ctx: Context, event_id: int, version: int | None) -> Event:
    """The event to change: NotFound unless visible, Conflict on a stale version."""
    visible = s.scalar(select(Event.id).where(Event.id == event_id, event_visible(ctx)))
    if visible is None:
        raise NotFound(what(), event_id)
    return load_for_update(s, Event, event_id, what(), version)


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
            company_id, company_manager = visible_company(s, ctx, company_id)
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
    execute_waiting(
        s.connection(),
        update(table)
        .where(
            table.c.id == company_id,
            or_(table.c.last_contact_at.is_(None), table.c.last_contact_at < done_at),
        )
        .values(last_contact_at=done_at, updated_at=table.c.updated_at),
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
    execute_waiting(
        s.connection(),
        update(table)
        .where(table.c.id == company_id)
        .values(last_contact_at=latest, updated_at=table.c.updated_at),
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
    """Mark a plan done with its result (K2); it is then held at ``done_at`` (its
    ``event_at`` moves there). Returns the new version and the suggested next plan (the
    caller may edit it and pass it to ``plan_from``)."""
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
        # held when it was done: the history, the calendar and the last contact date it
        # by that moment, not by the day it was planned for (a plan done early or late)
        values["event_at"] = values["done_at"]
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
