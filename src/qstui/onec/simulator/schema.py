"""Entity sets of a simulated base: what ``onec.mapping`` names for a configuration,
with EDM types, plus the tabular sections published as sets of their own
(``Document_X_Товары``, key ``Ref_Key`` + ``LineNumber``)."""

from __future__ import annotations

from dataclasses import dataclass

from qstui.onec import mapping as M

GUID = "Edm.Guid"
STRING = "Edm.String"
BOOLEAN = "Edm.Boolean"
DATETIME = "Edm.DateTime"
DOUBLE = "Edm.Double"
INT64 = "Edm.Int64"

# EDM type of each logical field of the mapping (``…_Key`` fields are always GUIDs)
_LOGICAL_TYPES = {
    "is_service": BOOLEAN,
    "vat_included": BOOLEAN,
    "date": DATETIME,
    "rate": DOUBLE,
    "total": DOUBLE,
    "quantity": DOUBLE,
    "price": DOUBLE,
    "amount": DOUBLE,
    "vat_amount": DOUBLE,
    "settlement_amount": DOUBLE,
    "multiplier": INT64,
}
# Enumerations published as strings although the mapping's logical name says "flag"
_STRING_NAMES = {"ТипНоменклатуры"}
# Composite fields (their ``_Type`` sibling says what they refer to)
_COMPOSITE_NAMES = {"ДокументОснование", "ОснованиеПлатежа"}

_CATALOG_COMMON = (
    ("Ref_Key", GUID),
    ("DataVersion", STRING),
    ("DeletionMark", BOOLEAN),
    ("Code", STRING),
    ("Description", STRING),
    ("Parent_Key", GUID),
    ("IsFolder", BOOLEAN),
    ("Predefined", BOOLEAN),
    ("PredefinedDataName", STRING),
)
_DOCUMENT_COMMON = (
    ("Ref_Key", GUID),
    ("DataVersion", STRING),
    ("DeletionMark", BOOLEAN),
    ("Number", STRING),
    ("Date", DATETIME),
    ("Posted", BOOLEAN),
)


def edm_type(logical: str, name: str) -> str:
    if name in _STRING_NAMES or name in _COMPOSITE_NAMES or name.endswith("_Type"):
        return STRING
    if name.endswith("_Key"):
        return GUID
    return _LOGICAL_TYPES.get(logical, STRING)


@dataclass(frozen=True)
class TableSchema:
    name: str
    properties: dict[str, str]  # 1C name → EDM type (LineNumber and Ref_Key included)


@dataclass(frozen=True)
class SetSchema:
    entity_set: str
    kind: str  # "catalog", "document" or "table" (a tabular section's own set)
    properties: dict[str, str]
    tables: dict[str, TableSchema]
    role: str = ""
    # References a document needs filled before it can be posted: 1C names
    required_refs: tuple[str, ...] = ()
    required_row_refs: tuple[str, ...] = ()


def _table(obj: M.ObjectMap, table: M.Table) -> TableSchema:
    props = {"Ref_Key": GUID, M.LINE_NUMBER: INT64}
    for logical, name in table.fields.items():
        props[name] = edm_type(logical, name)
        if name in _COMPOSITE_NAMES and logical != "basis_type":
            props[name + "_Type"] = STRING
    return TableSchema(table.name, props)


def build_schema(config_kind: str) -> dict[str, SetSchema]:
    """Every entity set a fully published base of ``config_kind`` offers."""
    sets: dict[str, SetSchema] = {}
    for role, obj in M.objects_of(config_kind).items():
        common = _DOCUMENT_COMMON if obj.kind == "document" else _CATALOG_COMMON
        props = dict(common)
        for logical, name in obj.fields.items():
            props[name] = edm_type(logical, name)
        tables = {table.name: _table(obj, table) for table in obj.tables}
        required: tuple[str, ...] = ()
        row_required: tuple[str, ...] = ()
        if obj.kind == "document":
            required = tuple(
                obj.fields[key]
                for key in ("counterparty", "organization", "currency")
                if key in obj.fields
            )
            row_required = tuple(
                name
                for table in obj.tables
                for key, name in table.fields.items()
                if key == "product"
            )
        sets[obj.entity_set] = SetSchema(
            obj.entity_set, obj.kind, props, tables, role, required, row_required
        )
        for table in tables.values():
            name = f"{obj.entity_set}_{table.name}"
            sets[name] = SetSchema(name, "table", dict(table.properties), {}, role)
    return sets
