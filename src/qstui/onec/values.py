"""1C OData values both ways: what a JSON answer holds → Python values at once, and
Python values → the literals of a ``$filter``.

- Int64 arrives as a string (``"LineNumber": "1"``) → ``int``;
- fractional numbers arrive as JSON floats → ``Decimal`` (read with
  ``json.loads(parse_float=Decimal)``, so ``22729.17`` never passes through a float);
- the empty reference ``00000000-0000-0000-0000-000000000000`` and the empty date
  ``0001-01-01T00:00:00`` mean "none" → ``None``;
- dates carry no time zone → naive ``datetime`` (1C's local time).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from qstui.onec.errors import OnecFormatError

EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
EMPTY_DATE = "0001-01-01T00:00:00"
UNDEFINED_TYPE = "StandardODATA.Undefined"
TYPE_PREFIX = "StandardODATA."
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def loads(body: str | bytes) -> Any:
    """A JSON body with every fractional number as a ``Decimal``."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OnecFormatError(f"not JSON ({exc})") from None


def guid(value: Any, field: str = "") -> str | None:
    """A reference: the GUID in lower case, or None for the empty one (or no value)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _GUID.match(value):
        raise OnecFormatError(f"{field or 'reference'} = {value!r} is not a GUID")
    value = value.lower()
    return None if value == EMPTY_GUID else value


def required_guid(value: Any, field: str) -> str:
    ref = guid(value, field)
    if ref is None:
        raise OnecFormatError(f"{field} is empty")
    return ref


def moment(value: Any, field: str = "") -> datetime | None:
    """A date and time of 1C (no time zone), or None for the empty date."""
    if value is None or value == "" or value == EMPTY_DATE:
        return None
    if not isinstance(value, str):
        raise OnecFormatError(f"{field or 'date'} = {value!r} is not a date")
    try:
        return datetime.strptime(value[:19], _DATE_FORMAT)
    except ValueError:
        raise OnecFormatError(f"{field or 'date'} = {value!r} is not a date") from None


def int64(value: Any, field: str = "") -> int | None:
    """An Int64 of 1C, which arrives as a string; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise OnecFormatError(f"{field or 'number'} = {value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise OnecFormatError(f"{field or 'number'} = {value!r} is not a whole number")


def number(value: Any, field: str = "") -> Decimal | None:
    """A number of 1C (a sum, a quantity, a rate) as a ``Decimal``; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise OnecFormatError(f"{field or 'number'} = {value!r} is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # a body not read by ``loads``: its shortest repr
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise OnecFormatError(f"{field or 'number'} = {value!r} is not a number")


def flag(value: Any, field: str = "") -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise OnecFormatError(f"{field or 'flag'} = {value!r} is not true or false")


def text(value: Any, field: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise OnecFormatError(f"{field or 'text'} = {value!r} is not text")


def composite(value: Any, type_name: Any, field: str = "") -> tuple[str, str] | None:
    """A composite reference ``X`` with its sibling ``X_Type``: (entity set, GUID), or
    None when undefined or empty."""
    if type_name in (None, "", UNDEFINED_TYPE):
        return None
    kind = text(type_name, field + "_Type")
    if kind.startswith(TYPE_PREFIX):
        kind = kind[len(TYPE_PREFIX) :]
    ref = guid(value, field)
    return None if ref is None else (kind, ref)


# $filter literals


def guid_literal(ref: str) -> str:
    """``guid'…'`` of a reference (checked, so nothing else ends up in a filter)."""
    return f"guid'{required_guid(ref, 'reference')}'"


def datetime_literal(value: date | datetime) -> str:
    """``datetime'YYYY-MM-DDTHH:MM:SS'`` (1C's local time, no zone)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        raise ValueError("1C dates carry no time zone: give a naive local datetime")
    return f"datetime'{value.strftime(_DATE_FORMAT)}'"


def string_literal(value: str) -> str:
    """``'…'`` with each quote doubled."""
    return "'" + value.replace("'", "''") + "'"


# Written bodies

_NUMBER_MARK = "\u0000n:"


def dumps(body: Any) -> str:
    """A body to POST or PATCH as JSON: a ``Decimal`` as an exact JSON number (never
    through a float), a date as ``YYYY-MM-DDTHH:MM:SS``, ``None`` as JSON null."""
    text_ = json.dumps(_marked(body), ensure_ascii=False)
    return re.sub(r'"\\u0000n:(-?[0-9.E+-]+)"', r"\1", text_)


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to 1C")
        return _NUMBER_MARK + str(value)
    if isinstance(value, str) and value.startswith(_NUMBER_MARK):
        raise ValueError("text starting with NUL cannot be sent to 1C")
    if isinstance(value, datetime):
        return value.strftime(_DATE_FORMAT)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).strftime(_DATE_FORMAT)
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marked(item) for item in value]
    return value
