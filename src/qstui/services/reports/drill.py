"""Drill-down: the deals (clients, interactions, claims) behind a number of a report.

The number's column names the engine spec that computed it (``ReportRecipe``); the row's
keys become filters (the dimension ids) and a narrower period (the bucket), and the
same facts — with the same visibility — are listed instead of counted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from qstui.domain.errors import ValidationFailed
from qstui.domain.report_spec import ReportRecipe, ReportSpec
from qstui.domain.reports import DrillKind, Dynamics, ReportRow, ReportTable
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.reports.engine import check_spec
from qstui.services.reports.facts import build
from qstui.services.reports.periods import bucket_end
from qstui.services.reports.tables import measure_column

MAX_DRILL = 100_000  # ids at most; a list screen pages them


def recipe_of(table: ReportTable) -> ReportRecipe:
    spec = table.spec
    if isinstance(spec, ReportRecipe):
        return spec
    if isinstance(spec, ReportSpec):
        return ReportRecipe(table.report, None, {measure_column(spec.measure).key: spec})
    raise ValidationFailed({"report": _("This report has no list behind its numbers")})


def narrowed(spec: ReportSpec, row: ReportRow | None) -> ReportSpec:
    """``spec`` limited to the group of ``row`` (None: the totals row)."""
    if row is None:
        return replace(spec, dimensions=(), dynamics=Dynamics.NONE)
    filters = dict(spec.filters)
    for name in spec.dimensions:
        filters[name] = (row.keys.get(name),)
    period = spec.period
    if spec.dynamics is not Dynamics.NONE:
        start = row.keys[spec.dynamics.value]
        end = bucket_end(start, spec.dynamics)
        if period is not None:
            start, end = max(start, period[0]), min(end, period[1])
        period = (start, end)
    return replace(spec, dimensions=(), dynamics=Dynamics.NONE, filters=filters, period=period)


def drill(
    ctx: Context, table: ReportTable, row: ReportRow | None, column_key: str
) -> tuple[DrillKind, list[int]]:
    """What the number in ``column_key`` of ``row`` (None: the totals) is made of: the
    kind of objects and their ids, ascending, as ``ctx`` may see them. The reports with
    modules of their own (funnel, manager control, receivables, forecast) answer it
    themselves, with their own right."""
    own = _own_drill(table.report)
    if own is not None:
        kind, ids = own(ctx, table, row if row is not None else ReportRow({}, {}), column_key)
        return kind, list(ids)
    ctx.require(R.REPORTS)
    measures = recipe_of(table).measures
    if column_key not in measures:
        raise ValidationFailed({"column": _("No list behind this column")})
    spec = narrowed(measures[column_key], row)
    check_spec(spec)
    facts = build(ctx, spec, tuple(spec.filters))
    assert facts.drill is not None
    column, kind = facts.drill
    query: Any = (
        select(column)
        .select_from(facts.from_)
        .where(*facts.where, column.is_not(None))
        .distinct()
        .order_by(column)
        .limit(MAX_DRILL)
    )
    with ctx.db.reader() as s:
        return kind, [int(i) for i in s.scalars(query)]


def _own_drill(report: str) -> Any:
    from qstui.services.reports import forecast, funnel, managers, receivables

    return {
        "funnel": funnel.drill,
        "managers": managers.drill,
        "managers_events": managers.drill,
        "managers_stages": managers.drill,
        "receivables": receivables.drill,
        "forecast": forecast.drill,
    }.get(report)
