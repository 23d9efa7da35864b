"""The objects of a simulated 1C base and its write rules.

Values are kept typed (``Decimal`` for numbers, ``int`` for Int64, GUID strings,
``YYYY-MM-DDTHH:MM:SS`` dates) and rendered as 1C renders them (``render``): Int64 as
strings, numbers as JSON numbers, empty references and dates spelled out. Every write
gives the object a new ``DataVersion``. A write that breaks a rule raises
``SimulatedError`` — the server answers it as 1C's ``odata.error``.
"""

from __future__ import annotations

import base64
import re
import struct
import threading
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from qstui.onec import mapping as M
from qstui.onec import values as V
from qstui.onec.simulator import schema as S

# odata.error codes of the simulator. 13 (rows created through a tabular-section set) is
# the one FORMATS.md records from real 1C; the others are the simulator's own.
E_BAD_REQUEST = "5"
E_NOT_FOUND = "9"
E_WRONG_VALUE = "6"
E_TABLE_ROWS = "13"
E_VERSION = "14"
E_POSTING = "17"
E_METHOD = "21"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_NAMESPACE = uuid.UUID("5b0f6c1e-3d1c-4a55-9a55-0c1c0de0aa11")


class SimulatedError(Exception):
    """What 1C would refuse: HTTP status, odata.error code, 1C's message (Russian)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Store:
    """All objects of one simulated base, safe to use from the server's threads."""

    def __init__(self, config_kind: str = M.BP30) -> None:
        self.config_kind = config_kind
        self.schema = S.build_schema(config_kind)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {
            name: {} for name, set_ in self.schema.items() if set_.kind != "table"
        }
        self.published: set[str] = set(self.schema)
        self.lock = threading.RLock()
        self._versions = 0
        self._counters: dict[str, int] = {}
        self._refs = 0

    # Names

    def set_of(self, role: str) -> str:
        return M.objects_of(self.config_kind)[role].entity_set

    def names(self, role: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Logical field names of ``role`` (and common ones: ``name``, ``code`` …) → 1C's."""
        obj = M.objects_of(self.config_kind)[role]
        common = M.DOCUMENT_FIELDS if obj.kind == "document" else M.CATALOG_FIELDS
        out = {}
        for key, value in values.items():
            name = obj.fields.get(key) or common.get(key)
            if name is None:
                raise KeyError(f"{role}.{key}")
            out[name] = value
        return out

    def unpublish(self, *entity_sets: str) -> None:
        """Take sets out of the OData set (what an admin forgot to publish)."""
        with self.lock:
            for name in entity_sets:
                self.published.discard(name)
                for table in self.schema[name].tables if name in self.schema else {}:
                    self.published.discard(f"{name}_{table}")

    # Reading

    def get_set(self, entity_set: str) -> S.SetSchema:
        set_ = self.schema.get(entity_set)
        if set_ is None or entity_set not in self.published:
            raise SimulatedError(
                404, E_NOT_FOUND, f"Не найден ресурс «{entity_set}» (объект не опубликован)"
            )
        return set_

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        """Objects of a set, or the rows of a tabular-section set."""
        set_ = self.get_set(entity_set)
        with self.lock:
            if set_.kind != "table":
                return [dict(obj) for obj in self.objects[entity_set].values()]
            owner, table = _split_table_set(self, entity_set)
            return [
                {**row, "Ref_Key": ref}
                for ref, obj in self.objects[owner].items()
                for row in obj.get(table, [])
            ]

    def get(self, entity_set: str, ref: str) -> dict[str, Any]:
        set_ = self.get_set(entity_set)
        if set_.kind == "table":
            raise SimulatedError(400, E_BAD_REQUEST, "Обращение к строке табличной части по ключу")
        with self.lock:
            obj = self.objects[entity_set].get(ref.lower())
            if obj is None:
                raise SimulatedError(404, E_NOT_FOUND, f"Объект {entity_set}({ref}) не найден")
            return dict(obj)

    # Writing

    def _next_version(self) -> str:
        self._versions += 1
        return base64.b64encode(struct.pack(">II", self._versions, 0)).decode("ascii")

    def new_ref(self, entity_set: str) -> str:
        self._refs += 1
        return str(uuid.uuid5(_NAMESPACE, f"{entity_set}:{self._refs}"))

    def create(
        self, entity_set: str, body: Mapping[str, Any], ref: str | None = None
    ) -> dict[str, Any]:
        set_ = self.get_set(entity_set)
        if set_.kind == "table":
            raise SimulatedError(
                400,
                E_TABLE_ROWS,
                "Создание строк табличной части через набор записей не поддерживается: "
                "запишите объект целиком",
            )
        with self.lock:
            ref = (ref or "").lower() or self.new_ref(entity_set)
            if ref in self.objects[entity_set]:
                raise SimulatedError(400, E_WRONG_VALUE, f"Объект с ключом {ref} уже существует")
            obj = _defaults(set_)
            obj["Ref_Key"] = ref
            _apply(set_, obj, body, ref)
            if set_.kind == "catalog" and not obj["Code"]:
                obj["Code"] = self._next_number(entity_set, "00-{:06d}")
            if set_.kind == "document":
                if not obj["Number"]:
                    obj["Number"] = self._next_number(entity_set, "0000-{:06d}")
                obj["Posted"] = False
            obj["DataVersion"] = self._next_version()
            self.objects[entity_set][ref] = obj
            return dict(obj)

    def _next_number(self, entity_set: str, pattern: str) -> str:
        self._counters[entity_set] = self._counters.get(entity_set, 0) + 1
        return pattern.format(self._counters[entity_set])

    def update(
        self, entity_set: str, ref: str, body: Mapping[str, Any], if_match: str | None = None
    ) -> dict[str, Any]:
        set_ = self.get_set(entity_set)
        with self.lock:
            obj = self._existing(entity_set, ref)
            _check_version(obj, if_match)
            new = dict(obj)
            _apply(set_, new, body, obj["Ref_Key"])
            if set_.kind == "document" and new.get("Posted") and body:
                _check_postable(set_, new)  # a posted document stays postable
            new["DataVersion"] = self._next_version()
            self.objects[entity_set][obj["Ref_Key"]] = new
            return dict(new)

    def delete(self, entity_set: str, ref: str, if_match: str | None = None) -> None:
        self.get_set(entity_set)
        with self.lock:
            obj = self._existing(entity_set, ref)
            _check_version(obj, if_match)
            del self.objects[entity_set][obj["Ref_Key"]]

    def post(self, entity_set: str, ref: str, posted: bool = True) -> dict[str, Any]:
        set_ = self.get_set(entity_set)
        if set_.kind != "document":
            raise SimulatedError(400, E_METHOD, f"У объекта {entity_set} нет метода проведения")
        with self.lock:
            obj = dict(self._existing(entity_set, ref))
            if posted:
                _check_postable(set_, obj)
            obj["Posted"] = posted
            obj["DataVersion"] = self._next_version()
            self.objects[entity_set][obj["Ref_Key"]] = obj
            return dict(obj)

    def _existing(self, entity_set: str, ref: str) -> dict[str, Any]:
        if self.schema[entity_set].kind == "table":
            raise SimulatedError(
                400, E_TABLE_ROWS, "Изменение строк табличной части через набор не поддерживается"
            )
        obj = self.objects[entity_set].get(ref.lower())
        if obj is None:
            raise SimulatedError(404, E_NOT_FOUND, f"Объект {entity_set}({ref}) не найден")
        return obj


def _split_table_set(store: Store, entity_set: str) -> tuple[str, str]:
    for name, set_ in store.schema.items():
        for table in set_.tables:
            if f"{name}_{table}" == entity_set:
                return name, table
    raise SimulatedError(404, E_NOT_FOUND, f"Не найден ресурс «{entity_set}»")


def _default(kind: str) -> Any:
    return {
        S.GUID: V.EMPTY_GUID,
        S.BOOLEAN: False,
        S.DATETIME: V.EMPTY_DATE,
        S.DOUBLE: Decimal(0),
        S.INT64: 0,
    }.get(kind, "")


def _defaults(set_: S.SetSchema) -> dict[str, Any]:
    obj = {name: _default(kind) for name, kind in set_.properties.items()}
    for name in set_.tables:
        obj[name] = []
    return obj


def _apply(set_: S.SetSchema, obj: dict[str, Any], body: Mapping[str, Any], ref: str) -> None:
    if not isinstance(body, Mapping):
        raise SimulatedError(400, E_BAD_REQUEST, "Тело запроса не является объектом JSON")
    for name, value in body.items():
        if name in set_.tables:
            obj[name] = _rows(set_.tables[name], value, ref)
        elif name in ("Ref_Key", "DataVersion"):
            if name == "Ref_Key" and value and str(value).lower() != ref:
                raise SimulatedError(400, E_WRONG_VALUE, "Ключ объекта нельзя изменить")
        elif name in set_.properties:
            obj[name] = _value(name, set_.properties[name], value)
        else:
            raise SimulatedError(
                400, E_WRONG_VALUE, f"Неизвестное свойство «{name}» объекта {set_.entity_set}"
            )


def _rows(table: S.TableSchema, rows: Any, ref: str) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        raise SimulatedError(400, E_WRONG_VALUE, f"Табличная часть «{table.name}» — не массив")
    out = []
    numbers = set()
    for row in rows:
        if not isinstance(row, Mapping) or M.LINE_NUMBER not in row:
            raise SimulatedError(
                400, E_WRONG_VALUE, f"В строке табличной части «{table.name}» нет LineNumber"
            )
        new = {
            name: _default(kind)
            for name, kind in table.properties.items()
            if name not in ("Ref_Key", M.LINE_NUMBER)
        }
        number = _value(M.LINE_NUMBER, S.INT64, row[M.LINE_NUMBER])
        if number < 1 or number in numbers:
            raise SimulatedError(
                400, E_WRONG_VALUE, f"Неверный LineNumber {number} в «{table.name}»"
            )
        numbers.add(number)
        for name, value in row.items():
            if name in ("Ref_Key", M.LINE_NUMBER):
                continue
            if name not in table.properties:
                raise SimulatedError(
                    400, E_WRONG_VALUE, f"Неизвестное свойство «{name}» табличной части"
                )
            new[name] = _value(name, table.properties[name], value)
        out.append({M.LINE_NUMBER: number, **new})
    return sorted(out, key=lambda row: row[M.LINE_NUMBER])


def _value(name: str, kind: str, value: Any) -> Any:
    wrong = SimulatedError(400, E_WRONG_VALUE, f"Неверное значение свойства «{name}»: {value!r}")
    if kind == S.GUID:
        if value in (None, ""):
            return V.EMPTY_GUID
        if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F-]{36}", value):
            raise wrong
        return value.lower()
    if kind == S.BOOLEAN:
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == S.DATETIME:
        if value in (None, ""):
            return V.EMPTY_DATE
        if not isinstance(value, str) or not _DATE.match(value):
            raise wrong
        return value
    if kind == S.INT64:
        if isinstance(value, bool):
            raise wrong
        try:
            return int(value)
        except (TypeError, ValueError):
            raise wrong from None
    if kind == S.DOUBLE:
        if isinstance(value, bool) or value is None:
            raise wrong
        try:
            return Decimal(str(value)) if not isinstance(value, Decimal) else value
        except InvalidOperation:
            raise wrong from None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise wrong
    return value


def _check_version(obj: Mapping[str, Any], if_match: str | None) -> None:
    if if_match and if_match.strip('"') != obj["DataVersion"]:
        raise SimulatedError(
            412,
            E_VERSION,
            "Объект изменен или удален другим пользователем (версия данных не совпадает)",
        )


def _check_postable(set_: S.SetSchema, obj: Mapping[str, Any]) -> None:
    """1C refuses to post a document whose references are empty."""
    empty = [name for name in set_.required_refs if obj.get(name) == V.EMPTY_GUID]
    for table in set_.tables.values():
        for row in obj.get(table.name, []):
            empty += [
                f"{table.name}[{row[M.LINE_NUMBER]}].{name}"
                for name in set_.required_row_refs
                if name in row and row[name] == V.EMPTY_GUID
            ]
    if empty:
        raise SimulatedError(
            400,
            E_POSTING,
            "Не удалось провести документ: не заполнены поля " + ", ".join(empty),
        )


def render(set_: S.SetSchema, obj: Mapping[str, Any], select: list[str] | None = None) -> dict:
    """``obj`` as 1C sends it: Int64 as strings, numbers as Decimal (JSON numbers)."""
    out: dict[str, Any] = {}
    for name, value in obj.items():
        if select is not None and name not in select:
            continue
        if name in set_.tables:
            table = set_.tables[name]
            out[name] = [_render_row(table, {"Ref_Key": obj["Ref_Key"], **row}) for row in value]
        else:
            out[name] = _render_value(set_.properties.get(name, ""), value)
    return out


def _render_row(table: S.TableSchema, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: _render_value(table.properties.get(name, ""), value) for name, value in row.items()
    }


def _render_value(kind: str, value: Any) -> Any:
    if kind == S.INT64:
        return str(value)
    return value
