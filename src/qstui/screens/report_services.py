"""THE SEAM between the Воронка / Отчеты screens and the report services: the only module
those screens (and their dialogs) call for report figures. Until the report engine of
issue 11 (``services/reports``: ready reports, drill-down, exporters) is merged, the
bodies call ``services.reports_stopgap`` — a deliberately small stand-in over the same
database and visibility rules; the merge replaces these bodies with calls into
``services/reports`` and deletes the stand-in. The signatures stay:

- ``ready_reports() -> tuple[ReadyReport, ...]``
- ``run_report(ctx, name, options) -> ReportTable``
- ``drill(ctx, table, row, column_key) -> tuple[DrillKind, tuple[int, ...]]``
- ``drill_lines(ctx, kind, ids) -> list[DrillLine]``
- ``export(ctx, table, path, kind) -> Path`` (kind ``csv`` | ``xlsx``)
- ``choices(ctx) -> Choices`` (pipelines, managers, currencies for the keys and the form)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from qstui.domain import rights as R
from qstui.domain.deals import PipelineInfo
from qstui.domain.reports import DrillKind, Dynamics, ReportOptions, ReportRow, ReportTable
from qstui.i18n import N_
from qstui.services import reports_stopgap as stopgap
from qstui.services.deals.choices import manager_choices
from qstui.services.refbooks.currency import list_currencies
from qstui.services.refbooks.pipelines import list_pipelines

EXPORT_KINDS = ("xlsx", "csv")


@dataclass(frozen=True)
class ReadyReport:
    name: str
    title: str  # message id
    defaults: ReportOptions = field(default_factory=ReportOptions)


@dataclass(frozen=True)
class DrillLine:
    """One deal (or client) behind a number, as the drill-down list shows it."""

    kind: DrillKind
    id: int
    title: str
    client: str
    manager: str
    amount: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Choices:
    pipelines: tuple[PipelineInfo, ...]
    managers: tuple[tuple[int, str], ...]
    currencies: tuple[str, ...]  # the base one first


# what the "build your own" form offers: (name, message id)
MEASURES: tuple[tuple[str, str], ...] = (
    ("money", N_("Won money")),
    ("count", N_("Won deals")),
)
DIMENSIONS: tuple[tuple[str, str], ...] = tuple(
    (name, stopgap.DIMENSION_TITLES[name]) for name in stopgap.DIMENSIONS
)
DYNAMICS: tuple[tuple[str, str], ...] = (
    (Dynamics.NONE.value, N_("No dynamics")),
    (Dynamics.DECADE.value, N_("By decades")),
    (Dynamics.MONTH.value, N_("By months")),
    (Dynamics.QUARTER.value, N_("By quarters")),
    (Dynamics.YEAR.value, N_("By years")),
)


def ready_reports() -> tuple[ReadyReport, ...]:
    return (
        ReadyReport("funnel", N_("Sales funnel")),
        ReadyReport(
            "sales", N_("Sales by manager by month"), ReportOptions(by=("manager", "month"))
        ),
    )


def run_report(ctx: Any, name: str, options: ReportOptions) -> ReportTable:
    """Compute the ready report ``name`` (or ``custom``, the form's) for ``ctx``."""
    if name == "funnel":
        return stopgap.funnel(ctx, options)
    return stopgap.deals_by(ctx, name, options)


def drill(
    ctx: Any, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, tuple[int, ...]]:
    """What is behind the number ``row.values[column_key]``; a key missing from
    ``row.keys`` means "any value" (the totals of a pivot)."""
    return stopgap.drill(ctx, table, row, column_key)


def drill_lines(ctx: Any, kind: DrillKind, ids: tuple[int, ...]) -> list[DrillLine]:
    return [
        DrillLine(
            kind, d.id, d.title, d.company_name, d.manager_name or "", d.amount, d.currency_code
        )
        for d in stopgap.deal_lines(ctx, ids)
    ]


def export(ctx: Any, table: ReportTable, path: Path, kind: str) -> Path:
    """Write ``table`` to ``path`` as ``csv`` or ``xlsx`` (needs the right ``export``)."""
    return stopgap.export(ctx, table, path, kind)


def can_export(ctx: Any) -> bool:
    return ctx is not None and ctx.has(R.EXPORT)


def choices(ctx: Any) -> Choices:
    managers = manager_choices(ctx) if ctx.has(R.DEALS) else []
    return Choices(
        pipelines=tuple(list_pipelines(ctx)),
        managers=tuple((m.id, m.full_name) for m in managers),
        currencies=tuple(c.code for c in list_currencies(ctx)),
    )
