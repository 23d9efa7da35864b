"""A reference-book value from what someone typed or a file held, and back to text.

``parse`` turns raw cells (text from a form or a CSV file, or values already typed)
into column values with one message per bad field; a REF given as text (a currency
code, a group's name) is resolved against its book by ``resolve_refs`` inside the
transaction that writes it. ``cell`` writes a value as the file holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from qstui.domain import formatting
from qstui.domain.formatting import parse_day
from qstui.domain.normalize import fold
from qstui.domain.refbooks import BookField
from qstui.domain.refbooks import FieldType as T
from qstui.domain.text import one_line, too_long
from qstui.i18n import _
from qstui.services.refbooks.book_specs import BY_NAME, Book

TRUE = {"1", "true", "yes", "y", "да", "д", "+"}
FALSE = {"0", "false", "no", "n", "нет", "н", "-", ""}
NBSP = "\u00a0"


def _decimal(text: str) -> Decimal:
    raw = text.replace(NBSP, "").replace(" ", "")
    raw = raw.replace(",", "") if "," in raw and "." in raw else raw.replace(",", ".")
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def _places(book: Book, key: str) -> int | None:
    column = book.model.__table__.c.get(key)
    return getattr(column.type, "scale", None) if column is not None else None


def _number(book: Book, f: BookField, value: Any) -> tuple[Any, str | None]:
    try:
        if f.type is T.INT:
            if isinstance(value, bool):
                raise ValueError(value)
            number: Any = int(value) if not isinstance(value, str) else int(value.strip())
        else:
            number = value if isinstance(value, Decimal) else _decimal(str(value))
            places = _places(book, f.key)
            if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
                return None, _("At most {n} digits after the point").format(n=places)
    except (ArithmeticError, TypeError, ValueError):
        if f.type is T.INT:
            return None, _("Enter a whole number")
        return None, _("Enter a number")
    if f.low is not None and number < f.low:
        return None, _("At least {n}").format(n=f.low)
    if f.high is not None and number > f.high:
        return None, _("At most {n}").format(n=f.high)
    return number, None


def _one(book: Book, f: BookField, value: Any) -> tuple[Any, str | None]:
    """The column value of one field and the message when it is wrong."""
    if isinstance(value, str):
        value = one_line(value) if f.type is not T.LIST else value.strip()
        if value == "" or value is None:
            value = None
    if value is None:
        if f.type is T.BOOL:
            return False, None
        if f.type is T.LIST:
            return [], None
        return None, (_("Required") if f.required else None)
    if f.type is T.TEXT:
        text = str(value)
        if f.max_len is not None and len(text) > f.max_len:
            return None, too_long(f.max_len)
        return text, None
    if f.type in (T.INT, T.DECIMAL):
        return _number(book, f, value)
    if f.type is T.BOOL:
        if isinstance(value, bool):
            return value, None
        word = str(value).strip().lower()
        if word in TRUE or word in FALSE:
            return word in TRUE, None
        return None, _("Enter yes or no")
    if f.type is T.DATE:
        if isinstance(value, date):
            return value, None
        try:
            return parse_day(str(value)), None
        except ValueError:
            return None, _("Enter a date as 31.12.2026")
    if f.type is T.CHOICE:
        text = str(value).strip()
        for code, label in f.choices:
            if text.lower() in (code, _(label).lower(), label.lower()):
                return code, None
        return None, _("Choose one of: {values}").format(
            values=", ".join(_(label) for _code, label in f.choices)
        )
    if f.type is T.LIST:
        items = value.split(";") if isinstance(value, str) else list(value)
        return [x for x in (one_line(i) for i in items) if x], None
    return value, None  # a REF: an id/code, or a text resolve_refs looks up


def _has_default(book: Book, key: str) -> bool:
    column = book.model.__table__.c.get(key)
    return column is not None and column.default is not None


def parse(
    book: Book, raw: Mapping[str, Any], partial: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of ``raw`` (all of the book's fields, or only those given when
    ``partial``; a field left out of a new value with a column default gets that
    default) and the message of each wrong one."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in book.fields:
        if f.key not in raw and (partial or _has_default(book, f.key)):
            continue
        value, error = _one(book, f, raw.get(f.key))
        if error is not None:
            errors[f.key] = error
        else:
            values[f.key] = value
    if "is_active" in raw:
        active, error = _one(book, BookField("is_active", "", T.BOOL), raw["is_active"])
        if error is None:
            values["is_active"] = active
        else:
            errors["is_active"] = error
    return values, errors


def _values_of(s: Session, target: Book) -> list[tuple[Any, bool, str, str]]:
    """``(stored, active, key text, name)`` of every value of a (small) book."""
    model = target.model
    active = getattr(model, "is_active", None)
    columns = (
        getattr(model, target.ref_column),
        active if active is not None else literal(True),
        getattr(model, target.keys[0]),
        getattr(model, target.label_key),
    )
    return [(v, bool(a), str(k), str(n)) for v, a, k, n in s.execute(select(*columns))]


def _lookup(
    known: list[tuple[Any, bool, str, str]], target: Book, value: Any
) -> tuple[Any, bool] | None:
    """``(what rows store, whether the value is active)`` of a value of ``target``
    given as its stored id/code or as its key or name (case and ё aside); None when
    there is none or the name is ambiguous."""
    for stored, active, _key, _name in known:
        if stored == value and not (target.ref_column == "id" and isinstance(value, str)):
            return stored, active
    text = fold(str(value))
    for index in (2, 3):
        found = [(k[0], k[1]) for k in known if fold(k[index]) == text]
        if len(found) == 1:
            return found[0]
    return None


def resolve_refs(
    s: Session,
    book: Book,
    values: dict[str, Any],
    row: Any,
    errors: dict[str, str],
    known: dict[str, list[tuple[Any, bool, str, str]]] | None = None,
) -> None:
    """Each REF value as the id (or code) its rows store; an unknown value, or an
    inactive one newly chosen (a row keeps the value it had), is an error. ``known``
    keeps the books read between calls (an import resolves many rows)."""
    known = {} if known is None else known
    for f in book.fields:
        if f.type is not T.REF or values.get(f.key) is None:
            continue
        target = BY_NAME[f.ref or ""]
        if target.name not in known:
            known[target.name] = _values_of(s, target)
        found = _lookup(known[target.name], target, values[f.key])
        if found is None:
            errors[f.key] = _("«{value}» is not in the book «{book}»").format(
                value=values[f.key], book=_(target.title)
            )
            continue
        stored, active = found
        if not active and (row is None or getattr(row, f.key) != stored):
            errors[f.key] = _("«{value}» is inactive").format(value=values[f.key])
            continue
        values[f.key] = stored


def cell(f: BookField, value: Any, ref_keys: Mapping[str, Mapping[Any, str]]) -> str:
    """A value as a file holds it (a REF as its book's key: code or name)."""
    if value is None:
        return ""
    if f.type is T.REF:
        return ref_keys.get(f.key, {}).get(value, str(value))
    if f.type is T.BOOL:
        return "1" if value else "0"
    if f.type is T.DATE:
        return value.isoformat()
    if f.type is T.DECIMAL:
        return format(value, "f")
    if f.type is T.LIST:
        return "; ".join(value)
    return str(value)


def shown(f: BookField, value: Any, ref_labels: Mapping[str, Mapping[Any, str]]) -> str:
    """A value as the screen shows it."""
    if value is None:
        return ""
    if f.type is T.REF:
        return ref_labels.get(f.key, {}).get(value, str(value))
    if f.type is T.BOOL:
        return _("yes") if value else ""
    if f.type is T.DATE:
        return formatting.day(value)
    if f.type is T.DECIMAL:  # kopecks always, more places only when there are more
        cents = value.quantize(Decimal("0.01"))
        return format(cents if cents == value else value.normalize(), "f")
    if f.type is T.CHOICE:
        return next((_(label) for code, label in f.choices if code == value), str(value))
    if f.type is T.LIST:
        return "; ".join(value)
    return str(value)
