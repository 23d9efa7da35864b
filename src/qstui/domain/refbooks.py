"""Reference books (S1) as the admin's screen and the CLI see them: plain data.

A book is a list of values other records point at (sources, units, stages …). Its
fields are described here so that one form, one table and one CSV format serve every
book; ``services.refbooks.books`` holds which table each book is and how it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qstui.domain.errors import ServiceError
from qstui.i18n import _


class FieldType(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    REF = "ref"  # a value of another book (``BookField.ref``)
    CHOICE = "choice"  # one of ``BookField.choices``
    LIST = "list"  # several short texts, ``;``-separated in a form or a file


@dataclass(frozen=True)
class BookField:
    key: str  # the column; the CSV header
    label: str  # a msgid
    type: FieldType = FieldType.TEXT
    required: bool = False
    max_len: int | None = None
    ref: str | None = None  # the book a REF field points at
    choices: tuple[tuple[str, str], ...] = ()  # (value, label msgid) of a CHOICE field
    fixed: bool = False  # given when the value is added, never changed afterwards
    low: Any = None  # the least number allowed
    high: Any = None  # the greatest number allowed


@dataclass(frozen=True)
class BookInfo:
    name: str
    title: str  # translated
    fields: tuple[BookField, ...]
    keys: tuple[str, ...]  # the fields that tell one value from another (import matches them)
    can_deactivate: bool
    can_reorder: bool
    count: int = 0
    inactive: int = 0


@dataclass(frozen=True)
class BookRow:
    id: int
    version: int
    values: dict[str, Any]  # typed; a REF as the id (or code) it stores
    shown: dict[str, str]  # as the table shows them; a REF as the value's name
    is_active: bool = True


@dataclass(frozen=True)
class Usage:
    what: str  # translated: «работы», «клиенты» …
    count: int
    more: bool = False  # at least ``count``: counting stopped there


USAGE_CAP = 1000


class InUse(ServiceError):
    """A value other records point at: it is deactivated, never deleted."""

    def __init__(self, name: str, usages: list[Usage]) -> None:
        parts = ", ".join(f"{u.what}: {u.count}{'+' if u.more else ''}" for u in usages if u.count)
        super().__init__(
            _("«{name}» is in use ({where}): deactivate it instead of deleting").format(
                name=name, where=parts
            )
        )
        self.usages = usages


@dataclass
class ImportLine:
    line_no: int
    action: str  # "add" | "change" | "same"
    label: str
    row_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # typed values to write
    version: int | None = None  # of the row to change, as the plan read it


@dataclass
class ImportPlan:
    book: str
    lines: list[ImportLine] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)
