"""Client terms — соглашения (C6): discount or markup, price type, payment terms
(prepayment, credit days, schedule) and delivery terms of a company.

Reading needs ``clients``; writing ``clients`` + ``edit``; always on a company the user
sees. Updates take the version the user started from and return the new one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import ClientTerms, PriceList
from qstui.domain.clients import TERMS_FIELDS, TermsInfo, TermsInput
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients._validation import check_period, terms_values
from qstui.services.clients.filters import visible_company
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import company_visible


def _info(row: ClientTerms, price_list: str | None) -> TermsInfo:
    return TermsInfo(
        id=row.id,
        version=row.version,
        company_id=row.company_id,
        title=row.title,
        discount_pct=row.discount_pct,
        markup_pct=row.markup_pct,
        price_list_id=row.price_list_id,
        price_list=price_list,
        prepay_pct=row.prepay_pct,
        credit_days=row.credit_days,
        pay_schedule=row.pay_schedule,
        delivery_terms=row.delivery_terms,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        is_active=bool(row.is_active),
        credit_limit=row.credit_limit,
    )


def terms_of(session: Session, company_id: int) -> list[TermsInfo]:
    """A company's terms: active first, the newest first."""
    rows = session.execute(
        select(ClientTerms, PriceList.name)
        .outerjoin(PriceList, PriceList.id == ClientTerms.price_list_id)
        .where(ClientTerms.company_id == company_id)
        .order_by(ClientTerms.is_active.desc(), ClientTerms.id.desc())
    )
    return [_info(row, name) for row, name in rows]


def list_terms(ctx: Context, company_id: int) -> list[TermsInfo]:
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        visible_company(s, ctx, company_id)
        return terms_of(s, company_id)


def _price_list_known(session: Session, clean: dict[str, Any], errors: dict[str, str]) -> None:
    ident = clean.get("price_list_id")
    if ident is not None and session.get(PriceList, ident) is None:
        errors["price_list_id"] = _("No such entry: {id}").format(id=ident)


def _load(session: Session, ctx: Context, terms_id: int) -> ClientTerms:
    row = session.scalar(
        select(ClientTerms).where(
            ClientTerms.id == terms_id, company_visible(ctx, ClientTerms.company_id)
        )
    )
    if row is None:
        raise NotFound(_("Client terms"), terms_id)
    return row


def add_terms(ctx: Context, company_id: int, data: TermsInput) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    clean, errors = terms_values({k: getattr(data, k) for k in TERMS_FIELDS})
    check_period(clean, {}, errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        _price_list_known(s, clean, errors)
        if errors:
            raise ValidationFailed(errors)
        row = ClientTerms(company_id=company_id, updated_by=ctx.user_id, **clean)
        record_create(s, ctx, row, "client_terms")
        return row.id


def update_terms(ctx: Context, terms_id: int, version: int, **changes: Any) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    unknown = sorted(set(changes) - set(TERMS_FIELDS))
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})
    clean, errors = terms_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, ClientTerms, terms_id) as s:
        row = _load(s, ctx, terms_id)
        if row.version != version:
            raise conflict_for(s, ClientTerms, terms_id)
        check_period(clean, {"valid_from": row.valid_from, "valid_to": row.valid_to}, errors)
        _price_list_known(s, clean, errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, row, clean, "client_terms")
        return row.version


def delete_terms(ctx: Context, terms_id: int, version: int) -> None:
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, ClientTerms, terms_id) as s:
        row = _load(s, ctx, terms_id)
        if row.version != version:
            raise conflict_for(s, ClientTerms, terms_id)
        record_delete(s, ctx, row, "client_terms")
