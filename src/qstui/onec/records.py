"""Typed records of 1C objects, as the parsers (``onec.parsers``) make them from OData
JSON: references are lower-case GUIDs or None, sums and quantities ``Decimal``, Int64
values ``int``, dates naive ``datetime`` or None. Plain frozen data: the sync compares
them, the services turn them into qstui rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Reference:
    """A catalog item qstui only needs by name: a unit, a currency, an organisation."""

    ref: str
    version: str
    deleted: bool
    code: str
    name: str
    full_name: str = ""
    inn: str = ""
    kpp: str = ""


@dataclass(frozen=True, slots=True)
class Counterparty:
    ref: str
    version: str
    deleted: bool
    code: str
    name: str
    full_name: str
    inn: str
    kpp: str
    legal_kind: str  # "ЮридическоеЛицо", "ФизическоеЛицо" … as 1C names it
    is_folder: bool
    parent: str | None
    partner: str | None = None  # УТ 11: its Catalog_Партнеры item


@dataclass(frozen=True, slots=True)
class Partner:
    """УТ 11: the business partner above one or more counterparties."""

    ref: str
    version: str
    deleted: bool
    code: str
    name: str
    full_name: str
    is_folder: bool
    parent: str | None


@dataclass(frozen=True, slots=True)
class Contract:
    ref: str
    version: str
    deleted: bool
    code: str
    name: str
    owner: str | None  # the counterparty
    kind: str  # "СПокупателем" …
    number: str
    date: datetime | None
    currency: str | None
    organization: str | None
    partner: str | None = None  # УТ 11


@dataclass(frozen=True, slots=True)
class Product:
    ref: str
    version: str
    deleted: bool
    code: str
    name: str
    full_name: str
    article: str
    unit: str | None
    is_service: bool
    is_folder: bool
    parent: str | None


@dataclass(frozen=True, slots=True)
class GoodsLine:
    """A row of goods or services of an invoice or a shipment."""

    table: str  # the tabular section: "Товары", "Услуги", "Запасы"
    line_number: int
    product: str | None
    quantity: Decimal
    price: Decimal
    amount: Decimal
    vat_rate: str
    vat_amount: Decimal
    content: str


@dataclass(frozen=True, slots=True)
class SalesDocument:
    """An invoice to a buyer or a shipment (Реализация / Расходная накладная)."""

    ref: str
    version: str
    deleted: bool
    number: str
    date: datetime | None
    posted: bool
    counterparty: str | None
    contract: str | None
    organization: str | None
    currency: str | None
    rate: Decimal | None  # the settlement rate, None where the configuration has none
    multiplier: int | None
    total: Decimal
    vat_included: bool
    invoice: str | None  # a shipment's invoice
    operation: str
    lines: tuple[GoodsLine, ...]


@dataclass(frozen=True, slots=True)
class PaymentLine:
    line_number: int
    contract: str | None
    invoice: str | None
    amount: Decimal
    rate: Decimal | None
    settlement_amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Payment:
    """An incoming payment (Поступление на расчетный счет) and its breakdown."""

    ref: str
    version: str
    deleted: bool
    number: str
    date: datetime | None
    posted: bool
    counterparty: str | None
    organization: str | None
    currency: str | None
    total: Decimal
    operation: str
    purpose: str
    lines: tuple[PaymentLine, ...]


@dataclass(frozen=True, slots=True)
class InvoiceFacture:
    ref: str
    version: str
    deleted: bool
    number: str
    date: datetime | None
    posted: bool
    counterparty: str | None
    contract: str | None
    organization: str | None
    currency: str | None
    total: Decimal
    bases: tuple[tuple[str, str], ...]  # (entity set, GUID) of each base document


@dataclass(frozen=True, slots=True)
class Document:
    """Any other document, read generically: its own fields and its tabular sections
    with every value converted (``onec.parsers.convert``)."""

    ref: str
    version: str
    deleted: bool
    number: str
    date: datetime | None
    posted: bool
    fields: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
