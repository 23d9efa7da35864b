"""Contracts with a client — договоры (C2): number, title, dates, currency, amount,
payment terms and the path of the signed file. A contract is added, edited and closed
(ended: it stays on the card as history; nothing deletes it here, deals may refer to
it). Every write is audited.

Reading needs ``clients``; writing ``clients`` + ``edit``; always on a company the user
sees. Updates take the version the user started from and return the new one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import Contract
from qstui.domain.clients import CONTRACT_FIELDS, ContractInfo
from qstui.domain.clock import today
from qstui.domain.deals import as_decimal, money_error
from qstui.domain.enums import ContractStatus
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients._validation import Form
from qstui.services.clients.filters import visible_company
from qstui.services.context import Context
from qstui.services.persist import apply_changes, conflict_for, record_create, writing
from qstui.services.refbooks.currency import check_currency
from qstui.services.visibility import company_visible


def contract_info(row: Contract) -> ContractInfo:
    return ContractInfo(
        id=row.id,
        number=row.number,
        title=row.title,
        signed_on=row.signed_on,
        valid_to=row.valid_to,
        currency_code=row.currency_code,
        amount=row.amount,
        status=row.status,
        pay_terms=row.pay_terms,
        file_path=row.file_path,
        notes=row.notes,
        version=row.version,
    )


def get_contract(ctx: Context, contract_id: int) -> ContractInfo:
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        return contract_info(_load(s, ctx, contract_id))


def add_contract(ctx: Context, company_id: int, **data: Any) -> int:
    """A new active contract of a visible company (``CONTRACT_FIELDS``; the number is
    required, the currency defaults to RUB). Returns its id."""
    ctx.require(R.CLIENTS, R.EDIT)
    _no_unknown(data)
    clean, errors = _values({key: data.get(key) for key in CONTRACT_FIELDS})
    _check_period(clean, None, errors)
    if errors:
        raise ValidationFailed(errors)
    clean["currency_code"] = clean.get("currency_code") or "RUB"
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        check_currency(s, clean["currency_code"], errors)
        if errors:
            raise ValidationFailed(errors)
        row = Contract(
            company_id=company_id,
            status=ContractStatus.ACTIVE,
            updated_by=ctx.user_id,
            **clean,
        )
        record_create(s, ctx, row, "contract")
        return row.id


def update_contract(ctx: Context, contract_id: int, version: int, **changes: Any) -> int:
    """Change fields (``CONTRACT_FIELDS``) of a contract saved at ``version``; returns
    the new version."""
    ctx.require(R.CLIENTS, R.EDIT)
    _no_unknown(changes)
    clean, errors = _values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, Contract, contract_id) as s:
        row = _load(s, ctx, contract_id)
        if row.version != version:
            raise conflict_for(s, Contract, contract_id)
        if "currency_code" in clean:
            clean["currency_code"] = clean["currency_code"] or row.currency_code
            check_currency(s, clean["currency_code"], errors)
        _check_period(clean, row, errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, row, clean, "contract")
        return row.version


def close_contract(ctx: Context, contract_id: int, version: int) -> int:
    """The contract has ended: its status becomes closed, valid to today unless it
    ended before. Returns the new version."""
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, Contract, contract_id) as s:
        row = _load(s, ctx, contract_id)
        if row.version != version:
            raise conflict_for(s, Contract, contract_id)
        if row.status == ContractStatus.CLOSED:
            raise ValidationFailed({"status": _("The contract has ended already")})
        values: dict[str, Any] = {"status": ContractStatus.CLOSED}
        if row.valid_to is None or row.valid_to > today():
            values["valid_to"] = today()
        apply_changes(s, ctx, row, values, "contract")
        return row.version


# --- helpers ----------------------------------------------------------------------------


def _no_unknown(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(CONTRACT_FIELDS))
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})


def _values(data: dict[str, Any], partial: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    form = Form(data, partial)
    form.text("number", 50, needed=True)
    form.text("title", 250)
    form.day("signed_on")
    form.day("valid_to")
    form.text("currency_code", 3)
    form.text("pay_terms", 500, lines=True)
    form.text("file_path", 1000)
    form.text("notes", 2000, lines=True)
    clean, errors = form.result()
    if clean.get("currency_code"):
        clean["currency_code"] = clean["currency_code"].upper()
    if "amount" in data or not partial:
        raw = data.get("amount")
        if raw is None or raw == "":
            clean["amount"] = None
        else:
            message = money_error(raw, positive=True)
            if message is not None:
                errors["amount"] = message
            else:
                clean["amount"] = as_decimal(raw)
    return clean, errors


def _check_period(clean: dict[str, Any], row: Contract | None, errors: dict[str, str]) -> None:
    """Signed on or before the day it is valid to, after the change."""
    start = clean.get("signed_on", row.signed_on if row is not None else None)
    end = clean.get("valid_to", row.valid_to if row is not None else None)
    if start and end and start > end and "valid_to" not in errors:
        errors["valid_to"] = _("The end date is before the start date")


def _load(session: Session, ctx: Context, contract_id: int) -> Contract:
    row = session.scalar(
        select(Contract).where(
            Contract.id == contract_id, company_visible(ctx, Contract.company_id)
        )
    )
    if row is None:
        raise NotFound(_("Contract"), contract_id)
    return row
