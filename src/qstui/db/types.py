"""Portable column types: the same DDL and values on SQLite and Firebird 3.

Firebird's dialect breaks ``Enum`` and ``JSON`` (FIREBIRD.md), so enums are stored as
their string value and JSON as text; money is always ``Numeric(18, 2)`` with ``Decimal``.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from sqlalchemy import Numeric, String, Text
from sqlalchemy.types import TypeDecorator

MONEY = Numeric(18, 2, asdecimal=True)
QUANTITY = Numeric(18, 3, asdecimal=True)
PERCENT = Numeric(7, 3, asdecimal=True)
RATE = Numeric(18, 6, asdecimal=True)
MAX_ID = 2**31 - 1  # ids are INTEGER: 32 bits on Firebird, so no row has a larger one


class EnumText(TypeDecorator[Enum]):
    """A ``StrEnum`` stored as its value in a VARCHAR column."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[Enum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Any) -> Enum | None:
        if value is None:
            return None
        return self.enum_class(value)

    def copy(self, **kw: Any) -> EnumText:
        return EnumText(self.enum_class, self.impl.length)


class JSONText(TypeDecorator[Any]):
    """JSON stored as text (VARCHAR of ``length``, or TEXT when ``length`` is None)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int | None = 4000) -> None:
        super().__init__(length)
        self.length = length
        if length is None:
            self.impl = Text()

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(value)

    def copy(self, **kw: Any) -> JSONText:
        return JSONText(self.length)
