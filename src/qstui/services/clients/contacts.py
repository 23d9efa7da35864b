"""Contact persons, phones, e-mail addresses and bank accounts of a company (C2, C4).

Every write needs ``clients`` + ``edit`` and a company the user sees (a row of a
company the user does not see is reported as not found); it is validated with one
message per field, audited, and refreshes the search words of the company or of the
contact person it belongs to. Updates take the version the user started from and
return the new one (``Conflict`` if someone saved meanwhile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import BankAccount, Contact, Currency, Email, Phone
from qstui.domain.clients import (
    BANK_FIELDS,
    CONTACT_FIELDS,
    BankAccountInfo,
    BankAccountInput,
    ContactInfo,
    ContactInput,
    CustomFieldValue,
    EmailInfo,
    PhoneInfo,
)
from qstui.domain.enums import FieldEntity, PhoneKind
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.names import person_name
from qstui.domain.normalize import email_key, fold, phone_digits
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients._index import refresh_companies, refresh_contacts
from qstui.services.clients._validation import (
    bank_values,
    contact_values,
    email_values,
    phone_values,
)
from qstui.services.clients.custom_fields import drop_values, values_of, write_values
from qstui.services.clients.filters import visible_company
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    new_version,
    record_create,
    record_delete,
    writing,
)
from qstui.services.visibility import company_visible

M = TypeVar("M")


def _visible_row(session: Session, ctx: Context, model: type[M], ident: int, what: str) -> M:
    row = session.scalar(
        select(model).where(
            model.id == ident,  # type: ignore[attr-defined]
            company_visible(ctx, model.company_id),  # type: ignore[attr-defined]
        )
    )
    if row is None:
        raise NotFound(what, ident)
    return row


def _checked_version(session: Session, row: Any, version: int) -> None:
    if row.version != version:
        raise conflict_for(session, type(row), row.id)


def _only_known(changes: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})


def _refresh_owner(session: Session, company_id: int, contact_id: int | None) -> None:
    if contact_id is None:
        refresh_companies(session, [company_id])
    else:
        refresh_contacts(session, [contact_id])


def _contact_of(session: Session, company_id: int, contact_id: int | None) -> None:
    if contact_id is None:
        return
    found = session.scalar(
        select(Contact.id).where(Contact.id == contact_id, Contact.company_id == company_id)
    )
    if found is None:
        raise NotFound(_("Contact person"), contact_id)


# --- plain results -----------------------------------------------------------------------------


def phone_info(row: Phone) -> PhoneInfo:
    return PhoneInfo(
        id=row.id,
        version=row.version,
        number=row.number,
        digits=row.digits,
        kind=row.phone_kind,
        ext=row.ext,
        note=row.note,
        contact_id=row.contact_id,
    )


def email_info(row: Email) -> EmailInfo:
    return EmailInfo(
        id=row.id,
        version=row.version,
        address=row.address,
        allow_mailing=bool(row.allow_mailing),
        note=row.note,
        contact_id=row.contact_id,
    )


def contact_info(
    row: Contact,
    phones: Sequence[PhoneInfo] = (),
    emails: Sequence[EmailInfo] = (),
    custom_fields: Sequence[CustomFieldValue] = (),
) -> ContactInfo:
    return ContactInfo(
        id=row.id,
        version=row.version,
        last_name=row.last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        job_title=row.job_title,
        birth_date=row.birth_date,
        notes=row.notes,
        is_primary=bool(row.is_primary),
        is_active=bool(row.is_active),
        phones=tuple(phones),
        emails=tuple(emails),
        custom_fields=tuple(custom_fields),
    )


def bank_info(row: BankAccount) -> BankAccountInfo:
    return BankAccountInfo(
        id=row.id,
        version=row.version,
        bank_name=row.bank_name,
        bik=row.bik,
        corr_account=row.corr_account,
        account_no=row.account_no,
        currency_code=row.currency_code,
        is_main=bool(row.is_main),
    )


# --- contact persons ---------------------------------------------------------------------------


def _contact_fold(row: Contact) -> dict[str, Any]:
    full = person_name(row.last_name, row.first_name, row.middle_name) or ""
    return {"name_fold": fold(full)[:200]}


def _only_primary(session: Session, ctx: Context, row: Contact) -> None:
    """One primary contact person per company."""
    for other in session.scalars(
        select(Contact).where(
            Contact.company_id == row.company_id,
            Contact.id != row.id,
            Contact.is_primary.is_(True),
        )
    ):
        apply_changes(session, ctx, other, {"is_primary": False}, "contact")


def add_contact(
    ctx: Context,
    company_id: int,
    data: ContactInput,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    custom: Mapping[int, Any] | None = None,
) -> int:
    """Add a contact person (with phones, e-mails and the values of custom fields: field
    id → value) to a company; returns its id. A bad custom value (by the field's code)
    leaves nothing written."""
    ctx.require(R.CLIENTS, R.EDIT)
    clean, errors = contact_values({k: getattr(data, k) for k in CONTACT_FIELDS})
    phone_rows = []
    for i, number in enumerate(phones):
        values, bad = phone_values({"number": number})
        phone_rows.append(values)
        errors.update({f"phones[{i}]": msg for msg in bad.values()})
    email_rows = []
    for i, address in enumerate(emails):
        values, bad = email_values({"address": address})
        email_rows.append(values)
        errors.update({f"emails[{i}]": msg for msg in bad.values()})
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        row = Contact(company_id=company_id, updated_by=ctx.user_id, **clean)
        row.name_fold = _contact_fold(row)["name_fold"]
        record_create(s, ctx, row, "contact")
        for values in phone_rows:
            _new_phone(s, ctx, company_id, row.id, values)
        for values in email_rows:
            _new_email(s, ctx, company_id, row.id, values)
        write_values(s, ctx, FieldEntity.CONTACT, row.id, custom or {})
        if row.is_primary:
            _only_primary(s, ctx, row)
        refresh_contacts(s, [row.id])
        return row.id


def update_contact(ctx: Context, contact_id: int, version: int, **changes: Any) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    _only_known(changes, CONTACT_FIELDS)
    clean, errors = contact_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, Contact, contact_id) as s:
        row = _visible_row(s, ctx, Contact, contact_id, _("Contact person"))
        _checked_version(s, row, version)
        diff = apply_changes(s, ctx, row, clean, "contact", derived=_contact_fold)
        if diff.get("is_primary", [None, False])[1]:
            _only_primary(s, ctx, row)
        if {"last_name", "first_name", "middle_name"} & set(diff):
            refresh_contacts(s, [row.id])
        return row.version


def set_contact_values(
    ctx: Context, contact_id: int, version: int, values: Mapping[int, Any]
) -> int:
    """Set values of the contact person's custom fields (field id → value; None or ""
    clears) under the person's version, all or none (``custom_fields.write_values``);
    the person gets a new version when something changed. Returns the version."""
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, Contact, contact_id) as s:
        row = _visible_row(s, ctx, Contact, contact_id, _("Contact person"))
        _checked_version(s, row, version)
        if write_values(s, ctx, FieldEntity.CONTACT, row.id, values):
            new_version(s, ctx, row)
        return row.version


def delete_contact(ctx: Context, contact_id: int, version: int) -> None:
    """Delete a contact person with the person's phones, e-mails and custom values."""
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, Contact, contact_id) as s:
        row = _visible_row(s, ctx, Contact, contact_id, _("Contact person"))
        _checked_version(s, row, version)
        for phone in s.scalars(select(Phone).where(Phone.contact_id == row.id)):
            record_delete(s, ctx, phone, "phone")
        for email in s.scalars(select(Email).where(Email.contact_id == row.id)):
            record_delete(s, ctx, email, "email")
        drop_values(s, FieldEntity.CONTACT, [row.id])
        record_delete(s, ctx, row, "contact")
        refresh_contacts(s, [contact_id])


def list_contacts(ctx: Context, company_id: int) -> list[ContactInfo]:
    """A company's contact persons with their phones and e-mails (3 queries)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        visible_company(s, ctx, company_id)
        return contacts_of(s, company_id)[0]


def contacts_of(
    session: Session, company_id: int
) -> tuple[list[ContactInfo], list[PhoneInfo], list[EmailInfo]]:
    """Contact persons (primary first, by name) with their custom fields, and the
    company's own phones / e-mails."""
    phones = [
        phone_info(p)
        for p in session.scalars(
            select(Phone).where(Phone.company_id == company_id).order_by(Phone.id)
        )
    ]
    emails = [
        email_info(e)
        for e in session.scalars(
            select(Email).where(Email.company_id == company_id).order_by(Email.id)
        )
    ]
    rows = list(
        session.scalars(
            select(Contact)
            .where(Contact.company_id == company_id)
            .order_by(Contact.is_primary.desc(), Contact.name_fold, Contact.id)
        )
    )
    custom = values_of(session, FieldEntity.CONTACT, [c.id for c in rows])
    people = [
        contact_info(
            c,
            [p for p in phones if p.contact_id == c.id],
            [e for e in emails if e.contact_id == c.id],
            custom[c.id],
        )
        for c in rows
    ]
    own_phones = [p for p in phones if p.contact_id is None]
    own_emails = [e for e in emails if e.contact_id is None]
    return people, own_phones, own_emails


# --- phones -------------------------------------------------------------------------------------


def _phone_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "kind" in out:
        out["phone_kind"] = out.pop("kind")
    return out


def _new_phone(
    session: Session, ctx: Context, company_id: int, contact_id: int | None, values: Any
) -> Phone:
    columns = _phone_columns(values)
    columns.setdefault("phone_kind", PhoneKind.WORK)
    row = Phone(
        company_id=company_id,
        contact_id=contact_id,
        digits=phone_digits(columns["number"])[:20],
        updated_by=ctx.user_id,
        **columns,
    )
    record_create(session, ctx, row, "phone")
    return row


def add_phone(
    ctx: Context,
    company_id: int,
    number: str,
    contact_id: int | None = None,
    kind: PhoneKind | str = PhoneKind.WORK,
    ext: str | None = None,
    note: str | None = None,
) -> int:
    """A phone of the company, or of one of its contact persons."""
    ctx.require(R.CLIENTS, R.EDIT)
    clean, errors = phone_values({"number": number, "kind": kind, "ext": ext, "note": note})
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        _contact_of(s, company_id, contact_id)
        row = _new_phone(s, ctx, company_id, contact_id, clean)
        _refresh_owner(s, company_id, contact_id)
        return row.id


def update_phone(ctx: Context, phone_id: int, version: int, **changes: Any) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    _only_known(changes, ("number", "kind", "ext", "note"))
    clean, errors = phone_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, Phone, phone_id) as s:
        row = _visible_row(s, ctx, Phone, phone_id, _("Phone"))
        _checked_version(s, row, version)
        diff = apply_changes(
            s,
            ctx,
            row,
            _phone_columns(clean),
            "phone",
            derived=lambda p: {"digits": phone_digits(p.number)[:20]},
        )
        if "number" in diff:
            _refresh_owner(s, row.company_id, row.contact_id)
        return row.version


def delete_phone(ctx: Context, phone_id: int, version: int) -> None:
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, Phone, phone_id) as s:
        row = _visible_row(s, ctx, Phone, phone_id, _("Phone"))
        _checked_version(s, row, version)
        company_id, contact_id = row.company_id, row.contact_id
        record_delete(s, ctx, row, "phone")
        _refresh_owner(s, company_id, contact_id)


# --- e-mails ------------------------------------------------------------------------------------


def _new_email(
    session: Session, ctx: Context, company_id: int, contact_id: int | None, values: Any
) -> Email:
    row = Email(
        company_id=company_id,
        contact_id=contact_id,
        address_key=email_key(values["address"])[:200],
        updated_by=ctx.user_id,
        **values,
    )
    record_create(session, ctx, row, "email")
    return row


def add_email(
    ctx: Context,
    company_id: int,
    address: str,
    contact_id: int | None = None,
    allow_mailing: bool = True,
    note: str | None = None,
) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    clean, errors = email_values({"address": address, "allow_mailing": allow_mailing, "note": note})
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        _contact_of(s, company_id, contact_id)
        row = _new_email(s, ctx, company_id, contact_id, clean)
        _refresh_owner(s, company_id, contact_id)
        return row.id


def update_email(ctx: Context, email_id: int, version: int, **changes: Any) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    _only_known(changes, ("address", "allow_mailing", "note"))
    clean, errors = email_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, Email, email_id) as s:
        row = _visible_row(s, ctx, Email, email_id, _("E-mail"))
        _checked_version(s, row, version)
        diff = apply_changes(
            s,
            ctx,
            row,
            clean,
            "email",
            derived=lambda e: {"address_key": email_key(e.address)[:200]},
        )
        if "address" in diff:
            _refresh_owner(s, row.company_id, row.contact_id)
        return row.version


def delete_email(ctx: Context, email_id: int, version: int) -> None:
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, Email, email_id) as s:
        row = _visible_row(s, ctx, Email, email_id, _("E-mail"))
        _checked_version(s, row, version)
        company_id, contact_id = row.company_id, row.contact_id
        record_delete(s, ctx, row, "email")
        _refresh_owner(s, company_id, contact_id)


# --- bank accounts ----------------------------------------------------------------------------


def _currency_known(session: Session, clean: Mapping[str, Any], errors: dict[str, str]) -> None:
    code = clean.get("currency_code")
    if code and session.scalar(select(Currency.id).where(Currency.code == code)) is None:
        errors["currency_code"] = _("Unknown currency {code}").format(code=code)


def _only_main(session: Session, ctx: Context, row: BankAccount) -> None:
    for other in session.scalars(
        select(BankAccount).where(
            BankAccount.company_id == row.company_id,
            BankAccount.id != row.id,
            BankAccount.is_main.is_(True),
        )
    ):
        apply_changes(session, ctx, other, {"is_main": False}, "bank_account")


def add_bank_account(ctx: Context, company_id: int, data: BankAccountInput) -> int:
    """Bank details: the account's control key is checked against the BIK (C4)."""
    ctx.require(R.CLIENTS, R.EDIT)
    clean, errors = bank_values({k: getattr(data, k) for k in BANK_FIELDS})
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        _currency_known(s, clean, errors)
        if errors:
            raise ValidationFailed(errors)
        row = BankAccount(company_id=company_id, updated_by=ctx.user_id, **clean)
        record_create(s, ctx, row, "bank_account")
        if row.is_main:
            _only_main(s, ctx, row)
        return row.id


def update_bank_account(ctx: Context, account_id: int, version: int, **changes: Any) -> int:
    ctx.require(R.CLIENTS, R.EDIT)
    _only_known(changes, BANK_FIELDS)
    with writing(ctx, BankAccount, account_id) as s:
        row = _visible_row(s, ctx, BankAccount, account_id, _("Bank account"))
        _checked_version(s, row, version)
        merged = {key: getattr(row, key) for key in BANK_FIELDS} | dict(changes)
        clean, errors = bank_values(merged)
        errors = {k: v for k, v in errors.items() if k in changes or k in ("bik", "account_no")}
        _currency_known(s, clean, errors)
        if errors:
            raise ValidationFailed(errors)
        values = {k: v for k, v in clean.items() if k in changes}
        diff = apply_changes(s, ctx, row, values, "bank_account")
        if diff.get("is_main", [None, False])[1]:
            _only_main(s, ctx, row)
        return row.version


def delete_bank_account(ctx: Context, account_id: int, version: int) -> None:
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx, BankAccount, account_id) as s:
        row = _visible_row(s, ctx, BankAccount, account_id, _("Bank account"))
        _checked_version(s, row, version)
        record_delete(s, ctx, row, "bank_account")


def bank_accounts_of(session: Session, company_id: int) -> list[BankAccountInfo]:
    return [
        bank_info(b)
        for b in session.scalars(
            select(BankAccount)
            .where(BankAccount.company_id == company_id)
            .order_by(BankAccount.is_main.desc(), BankAccount.id)
        )
    ]
