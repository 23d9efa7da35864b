"""A custom report (the builder's spec) as a table, and the pieces the ready reports
share to make theirs: the columns, the order of the rows, the totals, the notes on
filters, and the dimensions a measure can have (for the builder's form)."""

from __future__ import annotations

from typing import Any

from qstui.domain.clock import utcnow
from qstui.domain.enums import Role
from qstui.domain.errors import ValidationFailed
from qstui.domain.report_spec import (
    DIMENSION_LABELS,
    DYNAMICS_LABELS,
    MEASURE_LABELS,
    MONEY_MEASURES,
    Measure,
    ReportSpec,
)
from qstui.domain.reports import Column, ColumnKind, Dynamics, ReportRow, ReportTable
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.reports.engine import ZERO, Aggregate, Key, aggregate
from qstui.services.reports.facts import build
from qstui.services.reports.periods import bucket_label


def measure_column(measure: Measure) -> Column:
    if measure is Measure.WEIGHTED:
        return Column("weighted", _(MEASURE_LABELS[measure]), ColumnKind.MONEY)
    if measure in MONEY_MEASURES:
        return Column("amount", _(MEASURE_LABELS[measure]), ColumnKind.MONEY)
    return Column("count", _(MEASURE_LABELS[measure]), ColumnKind.COUNT)


def dimension_columns(spec: ReportSpec) -> list[Column]:
    columns = [Column(n, _(DIMENSION_LABELS[n]), ColumnKind.TEXT, True) for n in spec.dimensions]
    if spec.dynamics is not Dynamics.NONE:
        columns.append(
            Column(spec.dynamics.value, _(DYNAMICS_LABELS[spec.dynamics]), ColumnKind.TEXT, True)
        )
    return columns


def sort_keys(agg: Aggregate, keys: Any) -> list[Key]:
    """Groups in the order of their shown names (not set last), periods in time."""

    def order(key: Key) -> tuple[Any, ...]:
        parts: list[Any] = []
        for i, name in enumerate(agg.spec.dimensions):
            label = agg.labels[name].get(key[i], "")
            parts.append((key[i] is None, label.casefold(), str(key[i])))
        if agg.spec.dynamics is not Dynamics.NONE:
            parts.append(key[-1])
        return tuple(parts)

    return sorted(keys, key=order)


def row_head(agg: Aggregate, key: Key) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dimension values (shown) and keys (ids, the bucket's first day) of a group."""
    values: dict[str, Any] = {}
    keys: dict[str, Any] = {}
    for i, name in enumerate(agg.spec.dimensions):
        values[name] = agg.labels[name].get(key[i], _("(not set)"))
        keys[name] = key[i]
    if agg.spec.dynamics is not Dynamics.NONE:
        dyn = agg.spec.dynamics
        values[dyn.value] = bucket_label(key[-1], dyn)
        keys[dyn.value] = key[-1]
    return values, keys


def grand_total(ctx: Context, agg: Aggregate) -> Any:
    """The total of an aggregate: the sum of its groups, or — when a fact may be in
    several groups — its own query."""
    if not agg.multiplied:
        return sum(agg.values.values(), ZERO if agg.money else 0)
    plain = ReportSpec(
        measure=agg.spec.measure,
        period=agg.spec.period,
        currency=agg.currency,
        filters=agg.spec.filters,
        statuses=agg.spec.statuses,
    )
    return sum(aggregate(ctx, plain).values.values(), ZERO if agg.money else 0)


def run_report(ctx: Context, spec: ReportSpec, title: str | None = None) -> ReportTable:
    """A custom report (the builder): one measure by the spec's dimensions and
    dynamics; a row per group with a value."""
    agg = aggregate(ctx, spec)
    column = measure_column(spec.measure)
    rows = []
    for key in sort_keys(agg, agg.values):
        values, keys = row_head(agg, key)
        values[column.key] = agg.values[key]
        rows.append(ReportRow(values, keys))
    return ReportTable(
        report="custom",
        title=title or _(MEASURE_LABELS[spec.measure]),
        currency=agg.currency,
        period=spec.period,
        columns=(*dimension_columns(spec), column),
        rows=tuple(rows),
        totals={column.key: grand_total(ctx, agg)},
        notes=(*agg.notes, *filter_notes(spec)),
        computed_at=utcnow(),
        spec=spec,
    )


def filter_notes(spec: ReportSpec) -> list[str]:
    notes = []
    if spec.filters:
        names = ", ".join(_(DIMENSION_LABELS[n]) for n in spec.filters)
        notes.append(_("Filtered by: {names}").format(names=names))
    if spec.statuses:
        notes.append(_("Deal statuses: {names}").format(names=", ".join(spec.statuses)))
    return notes


def dimensions_of(measure: Measure) -> tuple[str, ...]:
    """The dimensions a report of ``measure`` can have rows by (for the builder's form),
    in the order of ``DIMENSION_LABELS``. Needs no database: the facts are only built."""
    probe = Context(db=None, user_id=None, login="", full_name="", role=Role.ADMIN,  # type: ignore[arg-type]
                    rights=frozenset({R.SEE_ALL}))  # fmt: skip
    names = []
    for name in DIMENSION_LABELS:
        try:
            build(probe, ReportSpec(measure), (name,))
        except ValidationFailed:
            continue
        names.append(name)
    return tuple(names)
