"""1C OData JSON → typed records (``onec.records``), named through the mapping table
(``onec.mapping``), so one parser reads the same object of every configuration.

``parse(role, config_kind, item)`` reads one object; ``parse_page`` the ``value`` list
of a page; ``document`` reads any document generically (``convert``). A missing field
(left out by ``$select``) reads as empty; a field of a wrong type is an
``OnecFormatError`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from qstui.onec import mapping as M
from qstui.onec import values as V
from qstui.onec.errors import OnecFormatError
from qstui.onec.records import (
    Contract,
    Counterparty,
    Document,
    GoodsLine,
    InvoiceFacture,
    Partner,
    Payment,
    PaymentLine,
    Product,
    Reference,
    SalesDocument,
)

_ZERO = Decimal(0)
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_NAV_SUFFIX = "@navigationLinkUrl"


class _Reader:
    """Fields of one raw object by their logical names in ``names``."""

    def __init__(self, raw: Mapping[str, Any], names: Mapping[str, str], where: str) -> None:
        if not isinstance(raw, Mapping):
            raise OnecFormatError(f"{where}: an object expected, not {type(raw).__name__}")
        self.raw = raw
        self.names = names
        self.where = where

    def _get(self, key: str) -> tuple[Any, str]:
        name = self.names.get(key) or M.CATALOG_FIELDS.get(key) or M.DOCUMENT_FIELDS[key]
        return self.raw.get(name), f"{self.where}.{name}"

    def has(self, key: str) -> bool:
        return key in self.names

    def ref(self) -> str:
        value, where = self._get("ref")
        return V.required_guid(value, where)

    def guid(self, key: str) -> str | None:
        if key not in self.names and key not in M.CATALOG_FIELDS:
            return None
        return V.guid(*self._get(key))

    def text(self, key: str) -> str:
        if key not in self.names and key not in M.CATALOG_FIELDS and key not in M.DOCUMENT_FIELDS:
            return ""
        return V.text(*self._get(key))

    def flag(self, key: str) -> bool:
        if key not in self.names and key not in M.CATALOG_FIELDS and key not in M.DOCUMENT_FIELDS:
            return False
        return V.flag(*self._get(key))

    def number(self, key: str) -> Decimal | None:
        return V.number(*self._get(key)) if key in self.names else None

    def amount(self, key: str) -> Decimal:
        return self.number(key) or _ZERO

    def int64(self, key: str) -> int | None:
        return V.int64(*self._get(key)) if key in self.names else None

    def moment(self, key: str) -> Any:
        if key not in self.names and key not in M.DOCUMENT_FIELDS:
            return None
        return V.moment(*self._get(key))

    def rows(self, table: str) -> list[Mapping[str, Any]]:
        rows = self.raw.get(table)
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise OnecFormatError(f"{self.where}.{table} is not a tabular section")
        return rows


def _line_number(reader: _Reader) -> int:
    value = V.int64(reader.raw.get(M.LINE_NUMBER), f"{reader.where}.{M.LINE_NUMBER}")
    if value is None:
        raise OnecFormatError(f"{reader.where}.{M.LINE_NUMBER} is empty")
    return value


def reference(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Reference:
    r = _Reader(raw, obj.fields, obj.entity_set)
    return Reference(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        code=r.text("code"),
        name=r.text("name"),
        full_name=r.text("full_name"),
        inn=r.text("inn"),
        kpp=r.text("kpp"),
    )


def counterparty(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Counterparty:
    r = _Reader(raw, obj.fields, obj.entity_set)
    return Counterparty(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        code=r.text("code"),
        name=r.text("name"),
        full_name=r.text("full_name"),
        inn=r.text("inn").strip(),
        kpp=r.text("kpp").strip(),
        legal_kind=r.text("legal_kind"),
        is_folder=r.flag("is_folder"),
        parent=r.guid("parent"),
        partner=r.guid("partner"),
    )


def partner(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Partner:
    r = _Reader(raw, obj.fields, obj.entity_set)
    return Partner(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        code=r.text("code"),
        name=r.text("name"),
        full_name=r.text("full_name"),
        is_folder=r.flag("is_folder"),
        parent=r.guid("parent"),
    )


def contract(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Contract:
    r = _Reader(raw, obj.fields, obj.entity_set)
    return Contract(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        code=r.text("code"),
        name=r.text("name"),
        owner=r.guid("owner"),
        kind=r.text("contract_kind"),
        number=r.text("number"),
        date=r.moment("date"),
        currency=r.guid("currency"),
        organization=r.guid("organization"),
        partner=r.guid("partner"),
    )


def product(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Product:
    r = _Reader(raw, obj.fields, obj.entity_set)
    service = raw.get(obj.fields["is_service"])
    return Product(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        code=r.text("code"),
        name=r.text("name"),
        full_name=r.text("full_name"),
        article=r.text("article").strip(),
        unit=r.guid("unit"),
        # БП 3.0: a flag Услуга; УТ 11 and УНФ: the enum ТипНоменклатуры
        is_service=service is True or service == "Услуга",
        is_folder=r.flag("is_folder"),
        parent=r.guid("parent"),
    )


def _goods(obj: M.ObjectMap, r: _Reader) -> tuple[GoodsLine, ...]:
    lines: list[GoodsLine] = []
    for table in obj.tables:
        for index, raw in enumerate(r.rows(table.name), 1):
            row = _Reader(raw, table.fields, f"{r.where}.{table.name}[{index}]")
            lines.append(
                GoodsLine(
                    table=table.name,
                    line_number=_line_number(row),
                    product=row.guid("product"),
                    quantity=row.amount("quantity"),
                    price=row.amount("price"),
                    amount=row.amount("amount"),
                    vat_rate=row.text("vat_rate"),
                    vat_amount=row.amount("vat_amount"),
                    content=row.text("content"),
                )
            )
    return tuple(lines)


def sales_document(obj: M.ObjectMap, raw: Mapping[str, Any]) -> SalesDocument:
    r = _Reader(raw, obj.fields, obj.entity_set)
    return SalesDocument(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        number=r.text("number"),
        date=r.moment("date"),
        posted=r.flag("posted"),
        counterparty=r.guid("counterparty"),
        contract=r.guid("contract"),
        organization=r.guid("organization"),
        currency=r.guid("currency"),
        rate=r.number("rate"),
        multiplier=r.int64("multiplier"),
        total=r.amount("total"),
        vat_included=r.flag("vat_included"),
        invoice=r.guid("invoice"),
        operation=r.text("operation"),
        lines=_goods(obj, r),
    )


def payment(obj: M.ObjectMap, raw: Mapping[str, Any]) -> Payment:
    r = _Reader(raw, obj.fields, obj.entity_set)
    table = obj.tables[0]
    lines = []
    for index, raw_row in enumerate(r.rows(table.name), 1):
        row = _Reader(raw_row, table.fields, f"{r.where}.{table.name}[{index}]")
        lines.append(
            PaymentLine(
                line_number=_line_number(row),
                contract=_guid_or_composite(row, "contract"),
                invoice=_guid_or_composite(row, "invoice"),
                amount=row.amount("amount"),
                rate=row.number("rate"),
                settlement_amount=row.number("settlement_amount"),
            )
        )
    return Payment(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        number=r.text("number"),
        date=r.moment("date"),
        posted=r.flag("posted"),
        counterparty=r.guid("counterparty"),
        organization=r.guid("organization"),
        currency=r.guid("currency"),
        total=r.amount("total"),
        operation=r.text("operation"),
        purpose=r.text("purpose"),
        lines=tuple(lines),
    )


def _guid_or_composite(row: _Reader, key: str) -> str | None:
    """A reference field, or a composite one (УТ 11's ОснованиеПлатежа) read as its GUID."""
    name = row.names.get(key)
    if name is None:
        return None
    type_name = row.raw.get(name + "_Type")
    if type_name is None:
        return row.guid(key)
    found = V.composite(row.raw.get(name), type_name, f"{row.where}.{name}")
    return None if found is None else found[1]


def invoice_facture(obj: M.ObjectMap, raw: Mapping[str, Any]) -> InvoiceFacture:
    r = _Reader(raw, obj.fields, obj.entity_set)
    table = obj.tables[0]
    bases = []
    for index, raw_row in enumerate(r.rows(table.name), 1):
        where = f"{r.where}.{table.name}[{index}]"
        found = V.composite(
            raw_row.get(table.fields["basis"]), raw_row.get(table.fields["basis_type"]), where
        )
        if found is not None:
            bases.append(found)
    return InvoiceFacture(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        number=r.text("number"),
        date=r.moment("date"),
        posted=r.flag("posted"),
        counterparty=r.guid("counterparty"),
        contract=r.guid("contract"),
        organization=r.guid("organization"),
        currency=r.guid("currency"),
        total=r.amount("total"),
        bases=tuple(bases),
    )


PARSERS: dict[str, Callable[[M.ObjectMap, Mapping[str, Any]], Any]] = {
    M.COUNTERPARTY: counterparty,
    M.PARTNER: partner,
    M.CONTRACT: contract,
    M.PRODUCT: product,
    M.UNIT: reference,
    M.CURRENCY: reference,
    M.ORGANIZATION: reference,
    M.INVOICE: sales_document,
    M.SHIPMENT: sales_document,
    M.PAYMENT: payment,
    M.INVOICE_FACTURE: invoice_facture,
}


def parse(role: str, config_kind: str, raw: Mapping[str, Any]) -> Any:
    """One object of ``role`` in a base of ``config_kind``."""
    return PARSERS[role](M.objects_of(config_kind)[role], raw)


def page_items(payload: Any, where: str = "") -> list[Mapping[str, Any]]:
    """The ``value`` list of a collection answer ``{"odata.metadata": …, "value": [...]}``."""
    items = payload.get("value") if isinstance(payload, Mapping) else None
    if not isinstance(items, list):
        raise OnecFormatError(f"{where or 'answer'}: no “value” list")
    return items


def parse_page(role: str, config_kind: str, payload: Any) -> list[Any]:
    obj = M.objects_of(config_kind)[role]
    return [PARSERS[role](obj, item) for item in page_items(payload, obj.entity_set)]


# Any document, generically


def convert(
    raw: Mapping[str, Any], where: str = "", int64_fields: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields of one object or row with their values converted: ``…_Key`` → GUID or
    None, a composite ``X`` with ``X_Type`` → (entity set, GUID) or None, numbers →
    ``Decimal``, ``LineNumber`` and the names in ``int64_fields`` (Int64 in ``$metadata``)
    → int, dates → ``datetime`` or None; navigation links are left out; tabular
    sections (lists) are left to the caller."""
    ints = {M.LINE_NUMBER, *int64_fields}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name.endswith(_NAV_SUFFIX) or name == "odata.metadata" or isinstance(value, list):
            continue
        at = f"{where}.{name}" if where else name
        if name.endswith("_Type"):
            continue
        if name + "_Type" in raw:
            out[name] = V.composite(value, raw[name + "_Type"], at)
        elif name.endswith("_Key"):
            out[name] = V.guid(value, at)
        elif name in ints:
            out[name] = V.int64(value, at)
        elif isinstance(value, bool):
            out[name] = value
        elif isinstance(value, (int, float, Decimal)):
            out[name] = V.number(value, at)
        elif isinstance(value, str) and _DATE_TEXT.match(value):
            out[name] = V.moment(value, at)
        else:
            out[name] = value
    return out


def document(
    raw: Mapping[str, Any], entity_set: str = "", int64_fields: Iterable[str] = ()
) -> Document:
    r = _Reader(raw, {}, entity_set or "document")
    ints = tuple(int64_fields)
    common = set(M.DOCUMENT_FIELDS.values())
    tables = {
        name: tuple(
            convert(row, f"{r.where}.{name}[{index}]", ints) for index, row in enumerate(rows, 1)
        )
        for name, rows in raw.items()
        if isinstance(rows, list)
    }
    fields = {
        name: value for name, value in convert(raw, r.where, ints).items() if name not in common
    }
    return Document(
        ref=r.ref(),
        version=r.text("version"),
        deleted=r.flag("deleted"),
        number=r.text("number"),
        date=r.moment("date"),
        posted=r.flag("posted"),
        fields=fields,
        tables=tables,
    )
