"""Claims — претензии (C7): register a complaint on a client, route it to a department
and an employee, link the interaction before it, plan the investigation, move it
through its statuses to a recorded resolution, and report on claims.

The workflow is ``qstui.domain.claims.TRANSITIONS``; every status change (and the
registration) is a ``claim_changes`` row with who, when, old and new status and a note.
Reads need the right ``clients`` (the report ``reports``), writes ``edit``, deleting
``delete``; every query is filtered by ``claim_visible``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import AppUser, Claim, ClaimChange, Company, Department, Event, KbArticle
from qstui.domain import calendar as cal
from qstui.domain.claims import (
    OPEN_STATUSES,
    TRANSITIONS,
    ClaimCard,
    ClaimChangeRow,
    ClaimRow,
    ClaimsReport,
    CountBy,
    status_name,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import ClaimStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import length_errors, multi_line, one_line, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)
from qstui.services.refbooks.active import check_active
from qstui.services.visibility import claim_visible, company_visible

KIND = "claim"
LIMITS = {"subject": 250, "description": 4000, "plan_text": 2000, "resolution": 4000}
NOTE_MAX = 1000
EDITABLE = frozenset(
    {
        "subject",
        "description",
        "department_id",
        "employee_id",
        "event_id",
        "kb_article_id",
        "plan_text",
        "plan_due",
        "resolution",
    }
)
ONE_DAY = Decimal(86400)


def _what() -> str:
    return _("Claim")


def _validate(
    s: Session,
    ctx: Context,
    company_id: int,
    final: dict[str, Any],
    changed: set[str],
    department_had: int | None = None,
) -> dict[str, Any]:
    """Column values for the ``changed`` fields; one ValidationFailed for all bad ones
    (a department other than the one the claim had must be active)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, limit in LIMITS.items():
        if key not in changed:
            continue
        text = one_line(final.get(key)) if key == "subject" else multi_line(final.get(key))
        if key == "subject" and not text:
            errors[key] = _("A subject is required")
        elif text is not None and len(text) > limit:
            errors[key] = too_long(limit)
        values[key] = text
    if "department_id" in changed:
        dep = final.get("department_id")
        if dep is not None and s.scalar(select(Department.id).where(Department.id == dep)) is None:
            errors["department"] = _("Unknown department «{id}»").format(id=dep)
        else:
            check_active(s, Department, Department.id, dep, department_had, "department", errors)
        values["department_id"] = dep
    if "employee_id" in changed:
        emp = final.get("employee_id")
        if emp is not None and s.scalar(select(AppUser.id).where(AppUser.id == emp)) is None:
            errors["employee"] = _("Unknown employee «{id}»").format(id=emp)
        values["employee_id"] = emp
    if "event_id" in changed:
        event_id = final.get("event_id")
        if event_id is not None:
            owner = s.scalar(select(Event.company_id).where(Event.id == event_id))
            if owner is None or owner != company_id:
                errors["event"] = _("The interaction «{id}» is not of this company").format(
                    id=event_id
                )
        values["event_id"] = event_id
    if "kb_article_id" in changed:
        article_id = final.get("kb_article_id")
        if (
            article_id is not None
            and s.scalar(select(KbArticle.id).where(KbArticle.id == article_id)) is None
        ):
            errors["kb_article"] = _("Unknown article «{id}»").format(id=article_id)
        values["kb_article_id"] = article_id
    if "plan_due" in changed:
        due = final.get("plan_due")
        if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
            errors["plan_due"] = _("A date is required")
        values["plan_due"] = due
    if errors:
        raise ValidationFailed(errors)
    return values


def _change(
    s: Session,
    ctx: Context,
    claim_id: int,
    old: ClaimStatus | None,
    new: ClaimStatus,
    note: str | None,
    at: datetime,
) -> None:
    s.add(
        ClaimChange(
            claim_id=claim_id,
            changed_at=at,
            changed_by=ctx.user_id,
            old_status=old,
            new_status=new,
            note=note,
        )
    )


def _visible_claim(s: Session, ctx: Context, claim_id: int, version: int | None) -> Claim:
    if s.scalar(select(Claim.id).where(Claim.id == claim_id, claim_visible(ctx))) is None:
        raise NotFound(_what(), claim_id)
    return load_for_update(s, Claim, claim_id, _what(), version)


# --- writing -----------------------------------------------------------------------------


def register_claim(
    ctx: Context,
    company_id: int,
    subject: str,
    description: str | None = None,
    department_id: int | None = None,
    employee_id: int | None = None,
    event_id: int | None = None,
    plan_text: str | None = None,
    plan_due: date | None = None,
    now: datetime | None = None,
    kb_article_id: int | None = None,
) -> int:
    """A new claim (status ``new``) on a visible company; returns its id."""
    ctx.require(R.EDIT)
    now = now or utcnow()
    final = {
        "subject": subject,
        "description": description,
        "department_id": department_id,
        "employee_id": employee_id,
        "event_id": event_id,
        "kb_article_id": kb_article_id,
        "plan_text": plan_text,
        "plan_due": plan_due,
    }
    with writing(ctx) as s:
        visible = s.scalar(select(Company.id).where(Company.id == company_id, company_visible(ctx)))
        if visible is None:
            raise NotFound(_("Company"), company_id)
        values = _validate(s, ctx, company_id, final, set(final))
        claim = Claim(
            company_id=company_id,
            **values,
            status=ClaimStatus.NEW,
            registered_at=now,
            registered_by=ctx.user_id,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, claim, KIND)
        _change(s, ctx, claim.id, None, ClaimStatus.NEW, None, now)
        return claim.id


def update_claim(ctx: Context, claim_id: int, version: int, **changes: Any) -> int:
    """Change any of ``EDITABLE`` (not the status: ``change_status``); returns the new
    version. A closed claim cannot be edited."""
    ctx.require(R.EDIT)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with writing(ctx) as s:
        claim = _visible_claim(s, ctx, claim_id, version)
        if claim.status == ClaimStatus.CLOSED:
            raise ValidationFailed({"status": _("A closed claim cannot be changed")})
        values = _validate(
            s, ctx, claim.company_id, dict(changes), set(changes), claim.department_id
        )
        apply_changes(s, ctx, claim, values, KIND)
        return claim.version


def change_status(
    ctx: Context,
    claim_id: int,
    version: int,
    new_status: ClaimStatus | str,
    note: str | None = None,
    resolution: str | None = None,
    now: datetime | None = None,
) -> int:
    """Move the claim along the workflow; returns the new version.

    Resolving needs a resolution (given here or already on the claim); closing sets
    ``closed_at``; every move is recorded in the claim's history."""
    ctx.require(R.EDIT)
    now = now or utcnow()
    try:
        target = ClaimStatus(new_status)
    except ValueError:
        raise ValidationFailed(
            {
                "status": _("Unknown status «{status}»: use one of {statuses}").format(
                    status=new_status, statuses=", ".join(s.value for s in ClaimStatus)
                )
            }
        ) from None
    note = multi_line(note)
    resolution = multi_line(resolution)
    errors = length_errors(
        {"note": note, "resolution": resolution},
        {"note": NOTE_MAX, "resolution": LIMITS["resolution"]},
    )
    with writing(ctx) as s:
        claim = _visible_claim(s, ctx, claim_id, version)
        current = ClaimStatus(claim.status)
        if target not in TRANSITIONS[current]:
            allowed = TRANSITIONS[current]
            if allowed:
                message = _(
                    "A claim cannot move from «{old}» to «{new}»; possible: {allowed}"
                ).format(
                    old=status_name(current),
                    new=status_name(target),
                    allowed=", ".join(f"«{status_name(a)}»" for a in allowed),
                )
            else:
                message = _("A claim in status «{old}» cannot change any more").format(
                    old=status_name(current)
                )
            errors["status"] = message
        if target == ClaimStatus.RESOLVED and not (resolution or claim.resolution):
            errors["resolution"] = _("Describe the resolution to resolve the claim")
        if errors:
            raise ValidationFailed(errors)
        values: dict[str, Any] = {"status": target}
        if resolution is not None:
            values["resolution"] = resolution
        if target == ClaimStatus.CLOSED:
            values["closed_at"] = now
        apply_changes(s, ctx, claim, values, KIND)
        _change(s, ctx, claim.id, current, target, note, now)
        s.flush()
        return claim.version


def delete_claim(ctx: Context, claim_id: int, version: int | None = None) -> None:
    """Delete a claim and its history (right ``delete``)."""
    ctx.require(R.DELETE)
    with writing(ctx) as s:
        claim = _visible_claim(s, ctx, claim_id, version)
        record_delete(s, ctx, claim, KIND)


# --- reading -----------------------------------------------------------------------------

_Co = aliased(Company)
_Dep = aliased(Department)
_Emp = aliased(AppUser)


def _rows_query(ctx: Context) -> Select[Any]:
    return (
        select(
            Claim.id,
            Claim.version,
            Claim.company_id,
            _Co.name.label("company_name"),
            Claim.subject,
            Claim.status,
            Claim.department_id,
            _Dep.name.label("department_name"),
            Claim.employee_id,
            _Emp.full_name.label("employee_name"),
            Claim.registered_at,
            Claim.plan_due,
            Claim.closed_at,
        )
        .join(_Co, _Co.id == Claim.company_id)
        .outerjoin(_Dep, _Dep.id == Claim.department_id)
        .outerjoin(_Emp, _Emp.id == Claim.employee_id)
        .where(claim_visible(ctx))
    )


def _row(r: Any, today: date) -> ClaimRow:
    status = ClaimStatus(r.status)
    return ClaimRow(
        id=r.id,
        version=r.version,
        company_id=r.company_id,
        company_name=r.company_name,
        subject=r.subject,
        status=status,
        department_id=r.department_id,
        department_name=r.department_name,
        employee_id=r.employee_id,
        employee_name=r.employee_name,
        registered_at=r.registered_at,
        plan_due=r.plan_due,
        closed_at=r.closed_at,
        overdue=status in OPEN_STATUSES and r.plan_due is not None and r.plan_due < today,
    )


def get_claim(ctx: Context, claim_id: int, now: datetime | None = None) -> ClaimCard:
    """A claim with its history (oldest change first) and the statuses it may move to."""
    ctx.require(R.CLIENTS)
    today = cal.local_day(now or utcnow())
    with ctx.db.reader() as s:
        found = s.execute(_rows_query(ctx).where(Claim.id == claim_id)).first()
        if found is None:
            raise NotFound(_what(), claim_id)
        row = _row(found, today)
        registrar = aliased(AppUser)
        extra = s.execute(
            select(
                Claim.description,
                Claim.event_id,
                Event.subject,
                Event.event_at,
                Claim.plan_text,
                Claim.resolution,
                registrar.full_name,
                Claim.kb_article_id,
                KbArticle.title,
            )
            .outerjoin(Event, Event.id == Claim.event_id)
            .outerjoin(KbArticle, KbArticle.id == Claim.kb_article_id)
            .outerjoin(registrar, registrar.id == Claim.registered_by)
            .where(Claim.id == claim_id)
        ).one()
        who = aliased(AppUser)
        history = tuple(
            ClaimChangeRow(
                changed_at=h.changed_at,
                changed_by_id=h.changed_by,
                changed_by_name=h.full_name,
                old_status=ClaimStatus(h.old_status) if h.old_status else None,
                new_status=ClaimStatus(h.new_status),
                note=h.note,
            )
            for h in s.execute(
                select(
                    ClaimChange.changed_at,
                    ClaimChange.changed_by,
                    who.full_name,
                    ClaimChange.old_status,
                    ClaimChange.new_status,
                    ClaimChange.note,
                )
                .outerjoin(who, who.id == ClaimChange.changed_by)
                .where(ClaimChange.claim_id == claim_id)
                .order_by(ClaimChange.changed_at, ClaimChange.id)
            )
        )
    return ClaimCard(
        row=row,
        description=extra[0],
        event_id=extra[1],
        event_subject=extra[2],
        event_at=extra[3],
        plan_text=extra[4],
        resolution=extra[5],
        registered_by_name=extra[6],
        history=history,
        next_statuses=TRANSITIONS[row.status],
        kb_article_id=extra[7],
        kb_article_title=extra[8],
    )


def list_claims(
    ctx: Context,
    company_id: int | None = None,
    status: ClaimStatus | str | None = None,
    department_id: int | None = None,
    employee_id: int | None = None,
    now: datetime | None = None,
) -> list[ClaimRow]:
    """Visible claims, the newest first, filtered by company, status, department or
    employee."""
    ctx.require(R.CLIENTS)
    today = cal.local_day(now or utcnow())
    query = _rows_query(ctx)
    if company_id is not None:
        query = query.where(Claim.company_id == company_id)
    if status is not None:
        query = query.where(Claim.status == ClaimStatus(status))
    if department_id is not None:
        query = query.where(Claim.department_id == department_id)
    if employee_id is not None:
        query = query.where(Claim.employee_id == employee_id)
    query = query.order_by(Claim.registered_at.desc(), Claim.id.desc())
    with ctx.db.reader() as s:
        return [_row(r, today) for r in s.execute(query)]


def claims_report(ctx: Context, date_from: date, date_to: date) -> ClaimsReport:
    """Claims registered in the local days ``date_from``..``date_to``: counts by status,
    department and employee; how many are resolved and the average days from
    registration to the (last) resolution."""
    ctx.require(R.REPORTS)
    if date_to < date_from:
        raise ValidationFailed({"date_to": _("The period ends before it starts")})
    start, end = cal.day_range(date_from, date_to)
    period = (Claim.registered_at >= start, Claim.registered_at < end, claim_visible(ctx))
    with ctx.db.reader() as s:
        by_status = {status.value: 0 for status in ClaimStatus}
        for status, count in s.execute(
            select(Claim.status, func.count(Claim.id)).where(*period).group_by(Claim.status)
        ):
            by_status[ClaimStatus(status).value] = count
        by_department = tuple(
            CountBy(dep_id, name or _("no department"), count)
            for dep_id, name, count in s.execute(
                select(Claim.department_id, _Dep.name, func.count(Claim.id))
                .outerjoin(_Dep, _Dep.id == Claim.department_id)
                .where(*period)
                .group_by(Claim.department_id, _Dep.name)
                .order_by(func.count(Claim.id).desc(), _Dep.name)
            )
        )
        by_employee = tuple(
            CountBy(emp_id, name or _("no employee"), count)
            for emp_id, name, count in s.execute(
                select(Claim.employee_id, _Emp.full_name, func.count(Claim.id))
                .outerjoin(_Emp, _Emp.id == Claim.employee_id)
                .where(*period)
                .group_by(Claim.employee_id, _Emp.full_name)
                .order_by(func.count(Claim.id).desc(), _Emp.full_name)
            )
        )
        resolved_at = (
            select(ClaimChange.claim_id, func.max(ClaimChange.changed_at).label("at"))
            .where(ClaimChange.new_status == ClaimStatus.RESOLVED)
            .group_by(ClaimChange.claim_id)
            .subquery()
        )
        spans = s.execute(
            select(Claim.registered_at, resolved_at.c.at)
            .join(resolved_at, resolved_at.c.claim_id == Claim.id)
            .where(*period, Claim.status.in_([ClaimStatus.RESOLVED, ClaimStatus.CLOSED]))
        ).all()
    average = None
    if spans:
        seconds = sum(Decimal(int((at - registered).total_seconds())) for registered, at in spans)
        average = (seconds / ONE_DAY / len(spans)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return ClaimsReport(
        date_from=date_from,
        date_to=date_to,
        total=sum(by_status.values()),
        by_status=by_status,
        by_department=by_department,
        by_employee=by_employee,
        resolved=by_status[ClaimStatus.RESOLVED.value] + by_status[ClaimStatus.CLOSED.value],
        avg_days_to_resolve=average,
    )
