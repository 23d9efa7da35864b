"""Ready reports on the engine: each a named set of specs turned into one table.

- ``sales`` (R2): won deals and won money by manager (or product, region …) with
  dynamics, by the day each deal was won;
- ``sources`` (R4): per deal source: deals started in the period, deals won in the
  period and their money, and the conversion — the share of the period's started deals
  that are won by now;
- ``refusals`` (R5): lost deals by refusal reason × the stage they were lost at: count
  and money, by the day they were lost;
- ``claims`` (C7): claims registered in the period by status and department.

``READY`` maps a report name to ``(ctx, ReportOptions) -> ReportTable``; the CLI and
the screens list the reports from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qstui.domain.clock import utcnow
from qstui.domain.errors import ValidationFailed
from qstui.domain.report_spec import (
    DIMENSION_LABELS,
    Measure,
    ReportRecipe,
    ReportSpec,
)
from qstui.domain.reports import (
    Column,
    ColumnKind,
    Dynamics,
    ReportOptions,
    ReportRow,
    ReportTable,
)
from qstui.i18n import N_, _
from qstui.services.context import Context
from qstui.services.reports.engine import Aggregate, aggregate
from qstui.services.reports.tables import (
    dimension_columns,
    filter_notes,
    grand_total,
    row_head,
    sort_keys,
)

CENT = Decimal("0.01")
# a count of these is read from the query of the money measure (one pass, not two)
COUNT_OF = {Measure.WON: Measure.WON_COUNT, Measure.LOST: Measure.LOST_COUNT}
Report = Callable[[Context, ReportOptions], ReportTable]


def base_spec(
    options: ReportOptions, default_by: tuple[str, ...], measure: Measure = Measure.WON
) -> ReportSpec:
    """The engine spec of ``options``: ``by`` split into dimensions and one dynamics,
    the pipeline as a filter."""
    dims: list[str] = []
    dynamics = Dynamics.NONE
    for name in options.by or default_by:
        if name in Dynamics.__members__.values() and name != Dynamics.NONE:
            if dynamics is not Dynamics.NONE:
                raise ValidationFailed({"by": _("Choose at most one period of dynamics")})
            dynamics = Dynamics(name)
        elif name in DIMENSION_LABELS:
            dims.append(name)
        else:
            raise ValidationFailed({"by": _("Unknown dimension {name}").format(name=name)})
    if not dims:
        dims = [d for d in default_by if d in DIMENSION_LABELS]
    filters = dict(options.filters)
    if options.pipeline_id is not None:
        filters["pipeline"] = (options.pipeline_id,)
    return ReportSpec(
        measure=measure,
        dimensions=tuple(dims),
        dynamics=dynamics,
        period=options.period,
        currency=options.currency,
        filters=filters,
        statuses=tuple(options.statuses),
    )


@dataclass(frozen=True)
class Part:
    """One measure column of a ready report and the spec that computes it."""

    column: Column
    spec: ReportSpec


def percent(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _counted(done: Any, spec: ReportSpec) -> Aggregate | None:
    """The counts of an aggregate already computed whose money measure's count is
    ``spec``, as an aggregate of their own."""
    for agg in done:
        if COUNT_OF.get(agg.spec.measure) is spec.measure and (
            replace(agg.spec, measure=spec.measure) == spec
        ):
            return Aggregate(spec, agg.currency, agg.counts, agg.labels, [], agg.multiplied)
    return None


def assemble(
    ctx: Context,
    name: str,
    title: str,
    options: ReportOptions,
    parts: list[Part],
    ratios: tuple[tuple[Column, str, str], ...] = (),
) -> ReportTable:
    """One table of several measures over the same groups: a row for every group any
    measure has; ``ratios`` are percent columns (column, part key, whole key)."""
    aggs: dict[str, Aggregate] = {}
    for p in sorted(parts, key=lambda p: p.column.kind is not ColumnKind.MONEY):
        aggs[p.column.key] = _counted(aggs.values(), p.spec) or aggregate(ctx, p.spec)
    first = aggs[parts[0].column.key]
    labels: dict[str, dict[Any, str]] = {}
    for agg in aggs.values():
        for dim, named in agg.labels.items():
            labels.setdefault(dim, {}).update(named)
    merged = Aggregate(first.spec, first.currency, {}, labels)
    keys = {key for agg in aggs.values() for key in agg.values}
    rows = []
    for key in sort_keys(merged, keys):
        values, row_keys = row_head(merged, key)
        for p in parts:
            empty = Decimal("0.00") if p.column.kind is ColumnKind.MONEY else 0
            values[p.column.key] = aggs[p.column.key].values.get(key, empty)
        for column, part, whole in ratios:
            values[column.key] = percent(values[part], values[whole])
        rows.append(ReportRow(values, row_keys))
    totals: dict[str, Any] = {p.column.key: grand_total(ctx, aggs[p.column.key]) for p in parts}
    for column, part, whole in ratios:
        totals[column.key] = percent(totals[part], totals[whole])
    notes: list[str] = []
    for agg in aggs.values():
        notes.extend(n for n in agg.notes if n not in notes)
    notes.extend(filter_notes(first.spec))
    measures = {p.column.key: p.spec for p in parts}
    for column, _part, whole in ratios:
        measures[column.key] = measures[whole]
    return ReportTable(
        report=name,
        title=title,
        currency=first.currency,
        period=options.period,
        columns=(
            *dimension_columns(first.spec),
            *(p.column for p in parts),
            *(c for c, _p, _w in ratios),
        ),
        rows=tuple(rows),
        totals=totals,
        notes=tuple(notes),
        computed_at=utcnow(),
        spec=ReportRecipe(name, options, measures),
    )


def _count(key: str, title: str) -> Column:
    return Column(key, _(title), ColumnKind.COUNT)


def _money(key: str, title: str) -> Column:
    return Column(key, _(title), ColumnKind.MONEY)


def sales_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R2: won deals and won money by manager (default), product, region … with
    dynamics."""
    if options.measure not in (None, "money", "count"):
        raise ValidationFailed({"measure": _("Sales are counted in money or in deals")})
    won = base_spec(options, ("manager",))
    parts = [
        Part(_count("count", N_("Won deals")), replace(won, measure=Measure.WON_COUNT)),
        Part(_money("amount", N_("Won money")), won),
    ]
    if options.measure == "count":
        parts = parts[:1]
    elif options.measure == "money":
        parts = parts[1:]
    return assemble(ctx, "sales", _("Sales"), options, parts)


def sources_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R4: per source, deals started, deals won and their money, conversion."""
    started = base_spec(options, ("source",), Measure.DEALS)
    won = replace(started, measure=Measure.WON)
    conversion = Column("conversion", _("Conversion, %"), ColumnKind.PERCENT)
    return assemble(
        ctx,
        "sources",
        _("Sources of deals"),
        options,
        [
            Part(_count("deals", N_("Deals started")), started),
            Part(_count("count", N_("Won deals")), replace(won, measure=Measure.WON_COUNT)),
            Part(_money("amount", N_("Won money")), won),
            Part(
                _count("won_of_started", N_("Started and won")),
                replace(started, statuses=("won",)),
            ),
        ],
        ((conversion, "won_of_started", "deals"),),
    )


def refusals_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R5: lost deals by refusal reason × the stage they were lost at."""
    lost = base_spec(options, ("refusal_reason", "lost_stage"), Measure.LOST)
    return assemble(
        ctx,
        "refusals",
        _("Refusals"),
        options,
        [
            Part(_count("count", N_("Lost deals")), replace(lost, measure=Measure.LOST_COUNT)),
            Part(_money("amount", N_("Lost money")), lost),
        ],
    )


def claims_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """C7: claims registered in the period by status and department."""
    claims = base_spec(options, ("claim_status", "department"), Measure.CLAIMS)
    return assemble(
        ctx,
        "claims",
        _("Claims"),
        options,
        [Part(_count("count", N_("Claims")), claims)],
    )


def _own_reports() -> dict[str, Report]:
    """R1, R3 (with its companions), R6 and R7: computed by their own modules."""
    from qstui.services.reports.forecast import forecast_report
    from qstui.services.reports.funnel import funnel_report
    from qstui.services.reports.managers import (
        manager_events_report,
        manager_stages_report,
        managers_report,
    )
    from qstui.services.reports.receivables import receivables_report

    return {
        "funnel": funnel_report,
        "managers": managers_report,
        "managers-events": manager_events_report,
        "managers-stages": manager_stages_report,
        "receivables": receivables_report,
        "forecast": forecast_report,
    }


READY: dict[str, Report] = {
    "sales": sales_report,
    "sources": sources_report,
    "refusals": refusals_report,
    "claims": claims_report,
    **_own_reports(),
}

READY_TITLES: dict[str, str] = {
    "funnel": N_("Sales funnel"),
    "sales": N_("Sales"),
    "managers": N_("Manager control"),
    "managers-events": N_("Manager control: interactions by type"),
    "managers-stages": N_("Manager control: clients per stage"),
    "sources": N_("Sources of deals"),
    "refusals": N_("Refusals"),
    "receivables": N_("Receivables"),
    "forecast": N_("Forecast"),
    "claims": N_("Claims"),
}


# The reports a measure (``--measure``) applies to, and what it may be. Sales choose
# their columns themselves; the funnel computes all three and keeps the one asked for
# (with the conversion and the days, which belong to every measure).
MEASURED: dict[str, tuple[str, ...]] = {
    "sales": ("money", "count"),
    "funnel": ("count", "money", "weighted"),
}
_FUNNEL_DROPS = {
    "count": {"amount", "weighted"},
    "money": {"count", "weighted"},
    "weighted": {"count", "amount"},
}


def run_ready(ctx: Context, name: str, options: ReportOptions) -> ReportTable:
    """The ready report ``name`` with ``options``; a measure the report has no use for
    is refused, never ignored."""
    report = READY.get(name)
    if report is None:
        raise ValidationFailed({"report": _("Unknown report {name}").format(name=name)})
    if options.measure is not None and options.measure not in MEASURED.get(name, ()):
        allowed = MEASURED.get(name)
        message = (
            _("This report is counted in: {measures}").format(measures=", ".join(allowed))
            if allowed
            else _("This report has its own columns: a measure applies to {reports}").format(
                reports=", ".join(MEASURED)
            )
        )
        raise ValidationFailed({"measure": message})
    table = report(ctx, options)
    if name == "funnel" and options.measure is not None:
        table = _without(table, _FUNNEL_DROPS[options.measure])
    return table


def _without(table: ReportTable, keys: set[str]) -> ReportTable:
    """``table`` without the measure columns ``keys`` (rows and totals keep the rest)."""
    return replace(
        table,
        columns=tuple(c for c in table.columns if c.key not in keys),
        rows=tuple(
            replace(row, values={k: v for k, v in row.values.items() if k not in keys})
            for row in table.rows
        ),
        totals={k: v for k, v in table.totals.items() if k not in keys},
    )
