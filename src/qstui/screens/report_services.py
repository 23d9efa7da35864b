"""What the Воронка / Отчеты screens (and their dialogs) call for report figures: the
ready reports and the report builder of ``services.reports``, drill-down, the lines
behind a number and the exporters — one module, so the screens hold no report logic.

- ``ready_reports() -> tuple[ReadyReport, ...]``
- ``run_report(ctx, name, options) -> ReportTable`` (``custom``: the builder's form)
- ``drill(ctx, table, row, column_key) -> tuple[DrillKind, tuple[int, ...]]``
- ``drill_lines(ctx, kind, ids) -> list[DrillLine]``
- ``export(ctx, table, path, kind) -> Path`` (kind ``csv`` | ``xlsx``)
- ``choices(ctx) -> Choices`` (pipelines, managers, currencies for the keys and the form)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qstui.domain import rights as R
from qstui.domain.deals import PipelineInfo
from qstui.domain.report_spec import (
    DIMENSION_LABELS,
    DYNAMICS_LABELS,
    MEASURE_LABELS,
    Measure,
    ReportSpec,
)
from qstui.domain.reports import (
    DrillKind,
    DrillLine,
    Dynamics,
    ReportOptions,
    ReportRow,
    ReportTable,
)
from qstui.services.deals.choices import manager_choices
from qstui.services.refbooks.currency import list_currencies
from qstui.services.refbooks.pipelines import list_pipelines
from qstui.services.reports import drill as drilling
from qstui.services.reports.export import export_report
from qstui.services.reports.lines import drill_lines as lines_of
from qstui.services.reports.ready import READY, READY_TITLES, run_ready
from qstui.services.reports.tables import run_report as run_spec

EXPORT_KINDS = ("xlsx", "csv")
# reports "as of now" (receivables, the forecast's coming months), or with a default
# period of their own (manager control: the month so far), get no year by default
OWN_PERIOD = frozenset({"funnel", "managers", "managers-events", "managers-stages"})
AS_OF_NOW = frozenset({"receivables", "forecast"})


@dataclass(frozen=True)
class ReadyReport:
    name: str
    title: str  # message id
    defaults: ReportOptions = field(default_factory=ReportOptions)
    yearly: bool = True  # the screen gives it this year when no period is chosen


@dataclass(frozen=True)
class Choices:
    pipelines: tuple[PipelineInfo, ...]
    managers: tuple[tuple[int, str], ...]
    currencies: tuple[str, ...]  # the base one first


# what the "build your own" form offers: (name, message id)
MEASURES: tuple[tuple[str, str], ...] = tuple((m.value, t) for m, t in MEASURE_LABELS.items())
DIMENSIONS: tuple[tuple[str, str], ...] = tuple(DIMENSION_LABELS.items())
DYNAMICS: tuple[tuple[str, str], ...] = tuple((d.value, t) for d, t in DYNAMICS_LABELS.items())
_DEFAULTS = {"sales": ReportOptions(by=("manager", Dynamics.MONTH.value))}


def ready_reports() -> tuple[ReadyReport, ...]:
    return tuple(
        ReadyReport(
            name,
            READY_TITLES.get(name, name),
            _DEFAULTS.get(name, ReportOptions()),
            yearly=name not in OWN_PERIOD | AS_OF_NOW,
        )
        for name in READY
    )


def run_report(ctx: Any, name: str, options: ReportOptions) -> ReportTable:
    """Compute the ready report ``name`` (or ``custom``, the form's) for ``ctx``."""
    if name != "custom":
        return run_ready(ctx, name, options)
    dynamics = next((Dynamics(d) for d in options.by if d in Dynamics._value2member_map_), None)
    spec = ReportSpec(
        measure=Measure(options.measure or Measure.WON.value),
        dimensions=tuple(d for d in options.by if d not in Dynamics._value2member_map_),
        dynamics=dynamics or Dynamics.NONE,
        period=options.period,
        currency=options.currency,
        filters=dict(options.filters),
        statuses=options.statuses,
    )
    return run_spec(ctx, spec)


def drill(
    ctx: Any, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, tuple[int, ...]]:
    """What is behind the number ``row.values[column_key]``."""
    kind, ids = drilling.drill(ctx, table, row, column_key)
    return kind, tuple(ids)


def drill_lines(ctx: Any, kind: DrillKind, ids: tuple[int, ...]) -> list[DrillLine]:
    return lines_of(ctx, kind, ids)


def export(ctx: Any, table: ReportTable, path: Path, kind: str) -> Path:
    """Write ``table`` to ``path`` as ``csv`` or ``xlsx`` (needs the right ``export``)."""
    export_report(ctx, table, path, kind)
    return path


def can_export(ctx: Any) -> bool:
    return ctx is not None and ctx.has(R.EXPORT)


def choices(ctx: Any) -> Choices:
    managers = manager_choices(ctx) if ctx.has(R.DEALS) else []
    return Choices(
        pipelines=tuple(list_pipelines(ctx)),
        managers=tuple((m.id, m.full_name) for m in managers),
        currencies=tuple(c.code for c in list_currencies(ctx)),
    )
