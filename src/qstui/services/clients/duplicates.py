"""Duplicate check before a company is registered (C3).

A possible duplicate is a company with the same INN, the same normalized name
(«ООО "Ромашка"» = «Ромашка, ООО» = «Ромашка ООО»), a phone with the same digits
(+7 (495) 123-45-67 = 8 495 1234567) or the same e-mail address.

Decision: duplicates are looked for among ALL companies, whoever is responsible for
them — a manager must learn that the client already exists, even when a colleague works
with it, or the same client is registered twice. What is reported of a company the user
does not see is only its id, its name and its responsible manager (``visible`` False):
no requisites, contacts, deals or history. Exact matches only, on indexed columns.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import AppUser, Company, Email, Phone
from qstui.domain.clients import DuplicateHit, DuplicateReason
from qstui.domain.normalize import company_name, email_key, fold, phone_digits
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.visibility import company_visible

PER_REASON = 20  # at most this many hits per reason


def find_duplicates(
    ctx: Context,
    name: str | None = None,
    inn: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    exclude_id: int | None = None,
) -> list[DuplicateHit]:
    """Possible duplicates of a company about to be registered (see the module doc)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        return duplicate_hits(s, ctx, name, inn, phone, email, exclude_id)


def duplicate_hits(
    session: Session,
    ctx: Context,
    name: str | None = None,
    inn: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    exclude_id: int | None = None,
) -> list[DuplicateHit]:
    """``find_duplicates`` in the caller's session (the create transaction)."""
    found: list[tuple[DuplicateReason, int]] = []

    def add(reason: DuplicateReason, query: object) -> None:
        ids = session.scalars(query.limit(PER_REASON))  # type: ignore[attr-defined]
        found.extend((reason, company_id) for company_id in ids if company_id != exclude_id)

    code = (inn or "").strip()
    if code:
        add(DuplicateReason.INN, select(Company.id).where(Company.inn == code[:12]))
    key = company_name(name or "")[:250]
    if key:
        add(DuplicateReason.NAME, select(Company.id).where(Company.name_key == key))
    digits = phone_digits(phone or "")
    if len(digits) >= 5:
        add(
            DuplicateReason.PHONE,
            select(Phone.company_id).where(Phone.digits == digits[:20]).distinct(),
        )
    address = email_key(email or "")
    if "@" in address:
        add(
            DuplicateReason.EMAIL,
            select(Email.company_id).where(Email.address_key == address[:200]).distinct(),
        )
    if not found:
        return []
    ids = sorted({company_id for _reason, company_id in found})
    info = {
        row.id: row
        for row in session.execute(
            select(Company.id, Company.name, AppUser.full_name.label("manager"))
            .outerjoin(AppUser, AppUser.id == Company.manager_id)
            .where(Company.id.in_(ids))
        )
    }
    seen = set(session.scalars(select(Company.id).where(Company.id.in_(ids), company_visible(ctx))))
    order = list(DuplicateReason)
    hits = {
        (reason, company_id): DuplicateHit(
            reason=reason,
            company_id=company_id,
            name=info[company_id].name,
            manager=info[company_id].manager,
            visible=company_id in seen,
        )
        for reason, company_id in found
        if company_id in info
    }
    return sorted(hits.values(), key=lambda h: (order.index(h.reason), fold(h.name), h.company_id))
