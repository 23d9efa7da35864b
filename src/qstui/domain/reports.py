"""Reports and the funnel (R1–R7) as the services hand them out: one table shape for
every report, so the screens, the CLI and the exporters (CSV, XLSX, JSON) each have one
way to show any of them.

A ``ReportTable`` is long-format: one ``ReportRow`` per combination of its dimension
values (manager × month is one row per pair), its ``values`` keyed by ``Column.key``.
Money is ``Decimal`` to the kopeck in ``ReportTable.currency``; counts are ``int``;
shares and conversions are ``Decimal`` percents (0–100, two decimals) or None where the
base is zero; days are ``Decimal`` with one decimal. ``ReportRow.keys`` holds the ids
(or period starts) behind the shown values, which the services take back to list the
deals or clients behind a number (drill-down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class ColumnKind(StrEnum):
    TEXT = "text"  # a dimension value as shown (a manager's name, «2026-03», a stage)
    MONEY = "money"  # Decimal, two decimals, in the report's currency
    COUNT = "count"  # int
    PERCENT = "percent"  # Decimal 0..100 (two decimals) or None
    DAYS = "days"  # Decimal, one decimal, or None
    FLAG = "flag"  # bool: a yes/no mark of a row (over the credit limit)


class DrillKind(StrEnum):
    """What ``Enter`` on a number lists."""

    DEALS = "deals"
    CLIENTS = "clients"
    EVENTS = "events"
    CLAIMS = "claims"


@dataclass(frozen=True)
class Column:
    key: str  # stable, English: the JSON key and the CSV/XLSX header id
    title: str  # translated, for the screen and the export header
    kind: ColumnKind
    # Column of a dimension (rows are grouped by it) rather than a measure
    dimension: bool = False


@dataclass(frozen=True)
class ReportRow:
    values: dict[str, Any]
    # ids behind the dimension values, e.g. {"manager": 3, "month": date(2026, 3, 1)};
    # None is a real value ("no manager", "no source")
    keys: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportTable:
    report: str  # the ready report's name (funnel, sales, …) or "custom"
    title: str  # translated
    currency: str  # ISO code the money columns are in
    period: tuple[date, date] | None  # inclusive; None for "as of now" reports
    columns: tuple[Column, ...]
    rows: tuple[ReportRow, ...]
    totals: dict[str, Any]  # keyed like the measure columns; empty when meaningless
    # Lines for the report header: the currency rule, missing rates, the filters, the
    # visibility ("your clients only") — translated, shown above the table and exported
    notes: tuple[str, ...] = ()
    computed_at: datetime | None = None  # UTC, from qstui.domain.clock
    spec: Any = None  # what produced it, so the services can re-run it or drill down

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def dimension_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.dimension)

    @property
    def measure_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.dimension)


class Dynamics(StrEnum):
    NONE = "none"
    DECADE = "decade"  # 1–10, 11–20, 21–end of month
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class ReportOptions:
    """What a user chose for a ready report (the CLI's options, the screen's form).

    ``by`` lists dimension names (``manager``, ``product``, ``region`` …) and at most
    one dynamics name (``month`` …) in the order the rows are grouped; ``filters`` maps a
    dimension name to the ids (or None for "not set") its rows must have. ``currency``
    None means the base currency."""

    period: tuple[date, date] | None = None
    by: tuple[str, ...] = ()
    measure: str | None = None  # money | count | weighted | a measure name
    currency: str | None = None
    pipeline_id: int | None = None
    statuses: tuple[str, ...] = ()  # DealStatus values; empty: the report's default
    filters: dict[str, tuple[Any, ...]] = field(default_factory=dict)
