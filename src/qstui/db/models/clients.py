"""Clients (C1–C8): companies, contact persons, phones, e-mails, bank accounts,
custom fields, groups and mass activities, client terms, contracts, claims."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable, IdMixin
from qstui.db.types import PERCENT, EnumText, JSONText
from qstui.domain.clock import utcnow
from qstui.domain.enums import (
    ClaimStatus,
    ClientKind,
    ContractStatus,
    FieldEntity,
    FieldKind,
    PhoneKind,
)


class Company(Base, Editable):
    """A client company (or an individual entrepreneur) and its requisites (C2, C4)."""

    __tablename__ = "companies"
    __table_args__ = (
        # keyset paging of the client list on each sort key (C1)
        Index(None, "name_fold", "id"),
        Index(None, "manager_id", "name_fold"),
        # a manager's idle clients (C8), longest forgotten first, in the index's order
        Index(None, "manager_id", "last_contact_at", "name_fold", "id"),
        Index(None, "city_fold", "id"),
        Index(None, "inn", "id"),
        Index(None, "last_contact_at", "id"),
        Index(None, "created_at", "id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    name_fold: Mapped[str] = mapped_column(String(250), nullable=False)  # sort and prefix
    name_key: Mapped[str] = mapped_column(String(250), nullable=False, index=True)  # C3
    full_name: Mapped[str | None] = mapped_column(String(500))
    legal_form: Mapped[str | None] = mapped_column(String(20))
    client_kind: Mapped[ClientKind] = mapped_column(
        EnumText(ClientKind), nullable=False, default=ClientKind.CLIENT
    )
    inn: Mapped[str | None] = mapped_column(String(12))
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(15))
    okpo: Mapped[str | None] = mapped_column(String(14))
    legal_address: Mapped[str | None] = mapped_column(String(500))
    postal_address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(100))
    city_fold: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(200))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industries.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 0–5 stars
    notes: Mapped[str | None] = mapped_column(String(4000))
    last_contact_at: Mapped[datetime | None] = mapped_column()  # C8, kept by services
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Contact(Base, Editable):
    """A contact person of a company."""

    __tablename__ = "contacts"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    last_name: Mapped[str] = mapped_column(String(60), nullable=False)
    first_name: Mapped[str | None] = mapped_column(String(60))
    middle_name: Mapped[str | None] = mapped_column(String(60))
    name_fold: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    job_title: Mapped[str | None] = mapped_column(String(150))
    birth_date: Mapped[date | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(String(2000))
    is_primary: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)


class Phone(Base, Editable):
    __tablename__ = "phones"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(40), nullable=False)  # as typed
    digits: Mapped[str] = mapped_column(String(20), nullable=False, index=True)  # normalized
    phone_kind: Mapped[PhoneKind] = mapped_column(
        EnumText(PhoneKind), nullable=False, default=PhoneKind.WORK
    )
    ext: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(200))


class Email(Base, Editable):
    __tablename__ = "emails"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(200), nullable=False)
    address_key: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    allow_mailing: Mapped[bool] = mapped_column(nullable=False, default=True)
    note: Mapped[str | None] = mapped_column(String(200))


class BankAccount(Base, Editable):
    __tablename__ = "bank_accounts"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    bank_name: Mapped[str] = mapped_column(String(250), nullable=False)
    bik: Mapped[str] = mapped_column(String(9), nullable=False)
    corr_account: Mapped[str | None] = mapped_column(String(20))
    account_no: Mapped[str] = mapped_column(String(20), nullable=False)
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    is_main: Mapped[bool] = mapped_column(nullable=False, default=False)


class CustomField(Base, Editable):
    """A field admins add to companies, contacts or deals (C2)."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("entity", "code"),)

    entity: Mapped[FieldEntity] = mapped_column(EnumText(FieldEntity), nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    field_kind: Mapped[FieldKind] = mapped_column(EnumText(FieldKind), nullable=False)
    choices: Mapped[Any] = mapped_column(JSONText(2000), nullable=True)
    is_required: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CustomValue(Base, Editable):
    """The value of a custom field for one object (``object_id`` of the field's entity)."""

    __tablename__ = "custom_values"
    __table_args__ = (
        UniqueConstraint("field_id", "object_id"),
        Index(None, "field_id", "val_fold"),
    )

    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), nullable=False
    )
    object_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    val_text: Mapped[str | None] = mapped_column(String(1000))
    val_fold: Mapped[str | None] = mapped_column(String(250))
    val_num: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    val_date: Mapped[date | None] = mapped_column()


class ClientGroup(Base, Editable):
    """A group of clients: shared (everyone sees it) or personal (only its owner) (C5)."""

    __tablename__ = "client_groups"

    name: Mapped[str] = mapped_column(String(150), nullable=False)
    is_shared: Mapped[bool] = mapped_column(nullable=False, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(String(1000))


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("client_groups.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MassActivity(Base, Editable):
    """A mass activity planned for a group; its effect is measured later (C5)."""

    __tablename__ = "mass_activities"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("client_groups.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    event_type_id: Mapped[int | None] = mapped_column(ForeignKey("event_types.id"))
    planned_on: Mapped[date] = mapped_column(nullable=False)
    notes: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ClientTerms(Base, Editable):
    """Client terms — соглашение (C6)."""

    __tablename__ = "client_terms"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(150), nullable=False)
    discount_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    markup_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id"))
    prepay_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    credit_days: Mapped[int | None] = mapped_column(Integer)
    # the debt the client may carry, in the base currency (R6 marks those over it)
    credit_limit: Mapped[Decimal | None] = mapped_column()
    pay_schedule: Mapped[str | None] = mapped_column(String(1000))
    delivery_terms: Mapped[str | None] = mapped_column(String(1000))
    valid_from: Mapped[date | None] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)


class Contract(Base, Editable):
    """A contract with a client (договор); linked to a 1C contract through ``onec_links``."""

    __tablename__ = "contracts"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(String(50), nullable=False)
    title: Mapped[str | None] = mapped_column(String(250))
    signed_on: Mapped[date | None] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    amount: Mapped[Decimal | None] = mapped_column()
    status: Mapped[ContractStatus] = mapped_column(
        EnumText(ContractStatus), nullable=False, default=ContractStatus.ACTIVE
    )
    notes: Mapped[str | None] = mapped_column(String(2000))
    pay_terms: Mapped[str | None] = mapped_column(String(500))  # e.g. «50% аванс, 30 дней»
    file_path: Mapped[str | None] = mapped_column(String(1000))  # the signed scan, a path


class Claim(Base, Editable):
    """A complaint of a client (C7)."""

    __tablename__ = "claims"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    description: Mapped[str | None] = mapped_column(String(4000))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # the knowledge-base article that answers the claim
    kb_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="SET NULL")
    )
    status: Mapped[ClaimStatus] = mapped_column(
        EnumText(ClaimStatus), nullable=False, default=ClaimStatus.NEW, index=True
    )
    plan_text: Mapped[str | None] = mapped_column(String(2000))
    plan_due: Mapped[date | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(4000))
    registered_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column()


class ClaimChange(Base, IdMixin):
    """The status history of a claim."""

    __tablename__ = "claim_changes"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True
    )
    changed_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    old_status: Mapped[ClaimStatus | None] = mapped_column(EnumText(ClaimStatus))
    new_status: Mapped[ClaimStatus] = mapped_column(EnumText(ClaimStatus), nullable=False)
    note: Mapped[str | None] = mapped_column(String(1000))
