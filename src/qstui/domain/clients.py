"""Clients as the services hand them out (C1–C8): filters, list rows, the card, the
inputs of the edit forms, duplicate hits and import reports. Plain values only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from qstui.domain.enums import (
    ClaimStatus,
    ClientKind,
    ContractStatus,
    DealStatus,
    EventStatus,
    FieldEntity,
    FieldKind,
    PhoneKind,
    SendingStatus,
)
from qstui.domain.errors import ServiceError
from qstui.domain.names import person_name
from qstui.i18n import _

# --- the list (C1) -----------------------------------------------------------------------


class SortKey(StrEnum):
    NAME = "name"
    INN = "inn"
    CITY = "city"
    LAST_CONTACT = "last_contact"
    CREATED = "created"


@dataclass(frozen=True)
class ClientSort:
    key: SortKey = SortKey.NAME
    descending: bool = False


_FILTER_INTS = ("manager_id", "group_id", "region_id", "industry_id", "source_id")
_FILTER_TEXTS = ("text", "name", "inn", "phone", "email", "city", "contact")


@dataclass(frozen=True)
class ClientFilter:
    """What the client list shows. Every field narrows the list; empty fields are ignored.

    ``text`` is the quick filter over "any field": every typed word must be the start of
    a word of the company (name, INN, OGRN, phones, e-mails, city) or of one of its
    contact persons (name, phones, e-mails). ``custom`` maps a custom field id to the
    start of its value.
    """

    text: str | None = None
    name: str | None = None
    inn: str | None = None
    phone: str | None = None
    email: str | None = None
    city: str | None = None
    contact: str | None = None
    manager_id: int | None = None
    group_id: int | None = None
    region_id: int | None = None
    industry_id: int | None = None
    source_id: int | None = None
    client_kind: ClientKind | None = None
    rating_min: int | None = None
    idle_days: int | None = None
    custom: Mapping[int, str] = field(default_factory=dict, hash=False)

    def is_empty(self) -> bool:
        return not self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The set fields as JSON-ready values (what a saved filter stores)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "" or (f.name == "custom" and not value):
                continue
            if f.name == "custom":
                value = {str(k): v for k, v in value.items()}
            elif isinstance(value, StrEnum):
                value = value.value
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ClientFilter:
        """The filter back from ``to_dict``; unknown or malformed entries are dropped."""
        data = data or {}
        values: dict[str, Any] = {}
        for key in _FILTER_TEXTS:
            if isinstance(data.get(key), str):
                values[key] = data[key]
        for key in (*_FILTER_INTS, "rating_min", "idle_days"):
            raw = data.get(key)
            if isinstance(raw, int) and not isinstance(raw, bool):
                values[key] = raw
        if data.get("client_kind") in {k.value for k in ClientKind}:
            values["client_kind"] = ClientKind(data["client_kind"])
        custom = data.get("custom")
        if isinstance(custom, Mapping):
            values["custom"] = {
                int(k): str(v) for k, v in custom.items() if str(k).isdigit() and v is not None
            }
        return cls(**values)


@dataclass(frozen=True)
class ClientRow:
    """One line of the client list; ``debt`` in the base currency (None: a rate is missing)."""

    id: int
    version: int
    name: str
    inn: str | None
    city: str | None
    phone: str | None
    manager_id: int | None
    manager: str | None
    last_contact_at: datetime | None
    debt: Decimal | None
    rating: int = 0
    client_kind: ClientKind = ClientKind.CLIENT


@dataclass(frozen=True)
class SavedFilterInfo:
    id: int
    name: str
    filter: ClientFilter
    updated_at: datetime | None = None


# --- edit forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyInput:
    """The quick registration / edit form of a company. ``phone`` and ``email`` are the
    company's own first phone and e-mail."""

    name: str
    full_name: str | None = None
    legal_form: str | None = None
    client_kind: ClientKind | str | None = None
    inn: str | None = None
    kpp: str | None = None
    ogrn: str | None = None
    okpo: str | None = None
    legal_address: str | None = None
    postal_address: str | None = None
    city: str | None = None
    website: str | None = None
    region_id: int | None = None
    industry_id: int | None = None
    source_id: int | None = None
    manager_id: int | None = None
    rating: int | None = None
    notes: str | None = None
    phone: str | None = None
    email: str | None = None


COMPANY_FIELDS = tuple(f.name for f in fields(CompanyInput))


@dataclass(frozen=True)
class ContactInput:
    last_name: str
    first_name: str | None = None
    middle_name: str | None = None
    job_title: str | None = None
    birth_date: date | None = None
    notes: str | None = None
    is_primary: bool = False
    is_active: bool = True


CONTACT_FIELDS = tuple(f.name for f in fields(ContactInput))


@dataclass(frozen=True)
class BankAccountInput:
    bank_name: str
    bik: str
    account_no: str
    corr_account: str | None = None
    currency_code: str = "RUB"
    is_main: bool = False


BANK_FIELDS = tuple(f.name for f in fields(BankAccountInput))


@dataclass(frozen=True)
class TermsInput:
    """Client terms — соглашение (C6)."""

    title: str
    discount_pct: Decimal | None = None
    markup_pct: Decimal | None = None
    price_list_id: int | None = None
    prepay_pct: Decimal | None = None
    credit_days: int | None = None
    pay_schedule: str | None = None
    delivery_terms: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True
    credit_limit: Decimal | None = None  # the debt allowed, base currency (R6)


TERMS_FIELDS = tuple(f.name for f in fields(TermsInput))


# --- the card (C2) -----------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneInfo:
    id: int
    version: int
    number: str
    digits: str
    kind: PhoneKind
    ext: str | None = None
    note: str | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class EmailInfo:
    id: int
    version: int
    address: str
    allow_mailing: bool = True
    note: str | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class ContactInfo:
    id: int
    version: int
    last_name: str
    first_name: str | None
    middle_name: str | None
    job_title: str | None
    birth_date: date | None
    notes: str | None
    is_primary: bool
    is_active: bool
    phones: tuple[PhoneInfo, ...] = ()
    emails: tuple[EmailInfo, ...] = ()
    custom_fields: tuple[CustomFieldValue, ...] = ()

    @property
    def full_name(self) -> str:
        return person_name(self.last_name, self.first_name, self.middle_name) or ""


@dataclass(frozen=True)
class BankAccountInfo:
    id: int
    version: int
    bank_name: str
    bik: str
    corr_account: str | None
    account_no: str
    currency_code: str
    is_main: bool


@dataclass(frozen=True)
class CustomFieldDef:
    """A custom field definition (admins with ``refbooks.edit`` maintain them)."""

    id: int
    version: int
    entity: FieldEntity
    code: str
    title: str
    kind: FieldKind
    choices: tuple[str, ...]
    is_required: bool
    is_active: bool
    sort_no: int


@dataclass(frozen=True)
class CustomFieldValue:
    """A custom field of a company, a contact person or a deal with that object's value
    (None: not filled in). An inactive field is shown only while it holds a value, and
    read-only."""

    field_id: int
    code: str
    title: str
    kind: FieldKind
    value: str | Decimal | date | bool | None
    choices: tuple[str, ...] = ()
    is_required: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class GroupInfo:
    id: int
    version: int
    name: str
    is_shared: bool
    owner_id: int
    owner: str | None
    description: str | None = None
    members: int = 0  # companies of the group the user sees


@dataclass(frozen=True)
class TermsInfo:
    id: int
    version: int
    company_id: int
    title: str
    discount_pct: Decimal | None
    markup_pct: Decimal | None
    price_list_id: int | None
    price_list: str | None
    prepay_pct: Decimal | None
    credit_days: int | None
    pay_schedule: str | None
    delivery_terms: str | None
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    credit_limit: Decimal | None = None


@dataclass(frozen=True)
class ContractInfo:
    id: int
    number: str
    title: str | None
    signed_on: date | None
    valid_to: date | None
    currency_code: str
    amount: Decimal | None
    status: ContractStatus
    pay_terms: str | None = None
    file_path: str | None = None
    notes: str | None = None
    version: int = 1


# What a contract's form edits (``services.clients.contracts``); the status changes by
# closing it.
CONTRACT_FIELDS = (
    "number",
    "title",
    "signed_on",
    "valid_to",
    "currency_code",
    "amount",
    "pay_terms",
    "file_path",
    "notes",
)


@dataclass(frozen=True)
class DealSummary:
    """A deal on the card; ``amount`` and ``debt`` in the deal currency."""

    id: int
    title: str
    status: DealStatus
    stage: str | None
    amount: Decimal
    currency_code: str
    debt: Decimal
    started_on: date | None = None
    closed_on: date | None = None
    manager: str | None = None


@dataclass(frozen=True)
class ProductBought:
    """Products of the client's won deals; ``amount`` in the base currency."""

    product_id: int
    product: str
    qty: Decimal
    amount: Decimal
    last_on: date | None


@dataclass(frozen=True)
class MaterialSent:
    id: int
    package: str
    email_to: str
    sent_at: datetime
    status: SendingStatus


@dataclass(frozen=True)
class ClaimSummary:
    id: int
    subject: str
    status: ClaimStatus
    registered_at: datetime
    employee: str | None


@dataclass(frozen=True)
class HistoryItem:
    """A done interaction (history) or a planned one (plans)."""

    id: int
    when: datetime
    type: str
    subject: str
    result: str | None
    responsible: str | None
    status: EventStatus
    contact: str | None = None
    product: str | None = None  # the product of interest (K1)


@dataclass(frozen=True)
class ClientCard:
    """Everything about one company (C2). ``version`` is what an edit sends back."""

    id: int
    version: int
    name: str
    full_name: str | None
    legal_form: str | None
    client_kind: ClientKind
    inn: str | None
    kpp: str | None
    ogrn: str | None
    okpo: str | None
    legal_address: str | None
    postal_address: str | None
    city: str | None
    website: str | None
    region_id: int | None
    region: str | None
    industry_id: int | None
    industry: str | None
    source_id: int | None
    source: str | None
    manager_id: int | None
    manager: str | None
    rating: int
    notes: str | None
    last_contact_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    contacts: tuple[ContactInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()  # the company's own numbers
    emails: tuple[EmailInfo, ...] = ()  # the company's own addresses
    bank_accounts: tuple[BankAccountInfo, ...] = ()
    custom_fields: tuple[CustomFieldValue, ...] = ()
    groups: tuple[GroupInfo, ...] = ()
    terms: tuple[TermsInfo, ...] = ()
    contracts: tuple[ContractInfo, ...] = ()
    deals: tuple[DealSummary, ...] = ()
    total_debt: Decimal = Decimal("0")  # base currency
    products: tuple[ProductBought, ...] = ()
    materials: tuple[MaterialSent, ...] = ()
    claims: tuple[ClaimSummary, ...] = ()
    history: tuple[HistoryItem, ...] = ()  # newest first
    plans: tuple[HistoryItem, ...] = ()  # soonest first


# --- duplicates (C3) -----------------------------------------------------------------------


class DuplicateReason(StrEnum):
    INN = "inn"
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class DuplicateHit:
    """A company that may be the same client. Reported across all companies, so only
    its id, name and responsible manager are given; ``visible`` says whether the user
    may open it."""

    reason: DuplicateReason
    company_id: int
    name: str
    manager: str | None
    visible: bool = False

    def describe(self) -> str:
        reasons = {
            DuplicateReason.INN: _("same INN"),
            DuplicateReason.NAME: _("same name"),
            DuplicateReason.PHONE: _("same phone"),
            DuplicateReason.EMAIL: _("same e-mail"),
        }
        return _("#{id} «{name}» ({reason}), manager: {manager}").format(
            id=self.company_id,
            name=self.name,
            reason=reasons[self.reason],
            manager=self.manager or _("nobody"),
        )


class DuplicatesFound(ServiceError):
    """The company may exist already (C3); nothing was written. Save with ``force``."""

    def __init__(self, hits: list[DuplicateHit] | tuple[DuplicateHit, ...]) -> None:
        self.hits = tuple(hits)
        super().__init__(
            _("Possible duplicates: {hits}").format(hits="; ".join(h.describe() for h in hits))
        )


# --- groups and mass activities (C5) -----------------------------------------------------------


@dataclass(frozen=True)
class ActivityEffect:
    """What a mass activity brought: deals of the group's companies started on or after
    the activity day, and the money of those won (base currency)."""

    activity_id: int
    title: str
    planned_on: date
    group_id: int
    companies: int
    events_planned: int
    events_done: int
    deals: int
    deals_won: int
    won_amount: Decimal
    open_amount: Decimal
    reached: int = 0  # companies with a plan of the activity done


# --- import (C1 / X4) ----------------------------------------------------------------------


class ImportAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ImportLine:
    line_no: int
    action: ImportAction
    name: str
    company_id: int | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What an import does (dry run) or did (``applied``), line by line."""

    lines: tuple[ImportLine, ...]
    applied: bool
    columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str = ";"

    def _count(self, action: ImportAction) -> int:
        return sum(1 for line in self.lines if line.action is action)

    @property
    def created(self) -> int:
        return self._count(ImportAction.CREATE)

    @property
    def updated(self) -> int:
        return self._count(ImportAction.UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(ImportAction.UNCHANGED)

    @property
    def rejected(self) -> tuple[ImportLine, ...]:
        return tuple(line for line in self.lines if line.action is ImportAction.REJECTED)
