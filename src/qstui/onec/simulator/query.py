"""``$filter``, ``$orderby``, ``$select``, ``$top`` and ``$skip`` of the simulator.

The filter language is the part of OData v3 qstui uses: comparisons (``eq ne gt ge
lt le``) of a property with a literal (``guid'…'``, ``datetime'…'``, ``'text'`` with
doubled quotes, numbers, ``true``/``false``), joined by ``and`` / ``or``, negated by
``not``, grouped by parentheses. Anything else is refused as 1C refuses a filter it
cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qstui.onec.simulator.store import E_BAD_REQUEST, SimulatedError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<guid>guid'(?P<g>[0-9a-fA-F-]{36})')
      | (?P<dt>datetime'(?P<d>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)')
      | (?P<str>'(?P<s>(?:[^']|'')*)')
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<paren>[()])
      | (?P<word>[^\s()']+)
    )""",
    re.VERBOSE,
)
_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
Predicate = Callable[[Mapping[str, Any]], bool]


def _refuse(what: str) -> SimulatedError:
    return SimulatedError(400, E_BAD_REQUEST, f"Ошибка разбора $filter: {what}")


@dataclass
class _Literal:
    value: Any


def _tokens(text: str) -> list[Any]:
    out: list[Any] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise _refuse(f"непонятный текст «{text[pos:]}»")
        pos = found.end()
        if found.group("guid"):
            out.append(_Literal(found.group("g").lower()))
        elif found.group("dt"):
            day = found.group("d")
            out.append(_Literal(day if len(day) == 19 else day + ":00"))
        elif found.group("str") is not None:
            out.append(_Literal(found.group("s").replace("''", "'")))
        elif found.group("num"):
            out.append(_Literal(Decimal(found.group("num"))))
        elif found.group("paren"):
            out.append(found.group("paren"))
        else:
            word = found.group("word")
            if word in ("true", "false"):
                out.append(_Literal(word == "true"))
            else:
                out.append(word)
    return out


class _Parser:
    def __init__(self, tokens: list[Any], fields: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.fields = fields

    def peek(self) -> Any:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Any:
        token = self.peek()
        if token is None:
            raise _refuse("неожиданный конец выражения")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.or_()
        if self.peek() is not None:
            raise _refuse(f"лишнее «{self.peek()}»")
        return predicate

    def or_(self) -> Predicate:
        left = self.and_()
        while self.peek() == "or":
            self.take()
            right = self.and_()
            left = (lambda a, b: lambda obj: a(obj) or b(obj))(left, right)
        return left

    def and_(self) -> Predicate:
        left = self.unary()
        while self.peek() == "and":
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda obj: a(obj) and b(obj))(left, right)
        return left

    def unary(self) -> Predicate:
        if self.peek() == "not":
            self.take()
            inner = self.unary()
            return lambda obj: not inner(obj)
        if self.peek() == "(":
            self.take()
            inner = self.or_()
            if self.take() != ")":
                raise _refuse("нет закрывающей скобки")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        name = self.take()
        if not isinstance(name, str) or name not in self.fields:
            raise _refuse(f"неизвестное свойство «{name}»")
        op = self.take()
        if op not in _COMPARE:
            raise _refuse(f"неизвестная операция «{op}»")
        literal = self.take()
        if not isinstance(literal, _Literal):
            raise _refuse(f"ожидалось значение, а не «{literal}»")
        compare = _COMPARE[op]
        value = literal.value
        if isinstance(value, Decimal) and self.fields[name] == "Edm.Int64":
            value = int(value)

        def check(obj: Mapping[str, Any]) -> bool:
            try:
                return bool(compare(obj.get(name), value))
            except TypeError:
                raise _refuse(f"несравнимые значения свойства «{name}»") from None

        return check


def parse_filter(text: str, fields: Mapping[str, str]) -> Predicate:
    """A predicate over stored objects; ``fields`` maps property names to EDM types."""
    return _Parser(_tokens(text), fields).parse()


def order_key(text: str, fields: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``$orderby``: [(property, descending)]."""
    keys = []
    for part in text.split(","):
        words = part.split()
        if not words or words[0] not in fields or len(words) > 2:
            raise SimulatedError(400, E_BAD_REQUEST, f"Неверный $orderby: «{text}»")
        desc = len(words) == 2 and words[1] == "desc"
        if len(words) == 2 and words[1] not in ("asc", "desc"):
            raise SimulatedError(400, E_BAD_REQUEST, f"Неверный $orderby: «{text}»")
        keys.append((words[0], desc))
    return keys


def sort(rows: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    for name, desc in reversed(keys):
        rows.sort(key=lambda row, name=name: row.get(name), reverse=desc)
    return rows


def whole(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise SimulatedError(400, E_BAD_REQUEST, f"Неверное значение {option}: «{text}»")
    return int(text)


def select(text: str | None, fields: Mapping[str, str], tables: Mapping[str, Any]) -> list[str]:
    if text is None:
        return []
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in fields and name not in tables:
            raise SimulatedError(400, E_BAD_REQUEST, f"Неизвестное свойство в $select: «{name}»")
    return names
