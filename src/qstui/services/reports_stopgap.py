"""INTERIM — the few report figures the Воронка and Отчеты screens need until the report
engine (``services/reports``, issue 11 item 1) is merged; the merge deletes this module
and points ``qstui.screens.report_services`` at the engine instead.

Deliberately small: the funnel of one pipeline (open deals per stage: count, money,
weighted money, conversion), and won (or open, or lost) deals by manager, pipeline,
stage or source with dynamics, as money or as a count; drill-down to the deals behind a
number; CSV and XLSX files. Money is summed in one currency only — the deals whose
currency is the report's (the base currency unless chosen); the other deals are left
out and the report says so. Every query is filtered by the same visibility predicate as
the deal list.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui.db.models import AppUser, Company, Deal, Pipeline, Source, Stage
from qstui.domain import clock
from qstui.domain.enums import DealStatus
from qstui.domain.errors import ServiceError
from qstui.domain.reports import (
    Column,
    ColumnKind,
    DrillKind,
    Dynamics,
    ReportOptions,
    ReportRow,
    ReportTable,
)
from qstui.i18n import N_, _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.refbooks.currency import base_currency
from qstui.services.refbooks.pipelines import default_pipeline_id
from qstui.services.visibility import deal_visible

KOPECK = Decimal("0.01")
DRILL_LIMIT = 1000
PERIODS = tuple(d.value for d in Dynamics if d is not Dynamics.NONE)
# dimension → (the deal column, the table and column of its name)
DIMENSIONS: dict[str, tuple[Any, Any, Any]] = {
    "manager": (Deal.manager_id, AppUser.id, AppUser.full_name),
    "pipeline": (Deal.pipeline_id, Pipeline.id, Pipeline.name),
    "stage": (Deal.stage_id, Stage.id, Stage.name),
    "source": (Deal.source_id, Source.id, Source.name),
}
DIMENSION_TITLES = {
    "manager": N_("Manager"),
    "pipeline": N_("Pipeline"),
    "stage": N_("Stage"),
    "source": N_("Source"),
    "decade": N_("Decade"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
}
MEASURES = {
    "money": ("amount", N_("Money"), ColumnKind.MONEY),
    "count": ("count", N_("Deals"), ColumnKind.COUNT),
}


@dataclass(frozen=True)
class Spec:
    """What produced a table (``ReportTable.spec``), so that drill-down re-reads it."""

    name: str
    options: ReportOptions
    currency: str
    pipeline_id: int | None = None


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(KOPECK, rounding=ROUND_HALF_UP)


def _statuses(options: ReportOptions, default: DealStatus) -> tuple[DealStatus, ...]:
    return tuple(DealStatus(s) for s in options.statuses) or (default,)


def _date_column(statuses: Sequence[DealStatus]) -> Any:
    """Won and lost deals count on the day they closed; open ones on the day they began."""
    return Deal.started_on if DealStatus.OPEN in statuses else Deal.closed_on


def _conditions(ctx: Context, spec: Spec, statuses: Sequence[DealStatus]) -> list[Any]:
    options = spec.options
    found: list[Any] = [deal_visible(ctx), Deal.currency_code == spec.currency]
    found.append(Deal.status.in_(statuses) if len(statuses) > 1 else Deal.status == statuses[0])
    if spec.pipeline_id is not None:
        found.append(Deal.pipeline_id == spec.pipeline_id)
    if options.period is not None:
        column = _date_column(statuses)
        found += [column >= options.period[0], column <= options.period[1]]
    for name, values in options.filters.items():
        if name not in DIMENSIONS:
            raise ServiceError(_("Unknown dimension: {name}").format(name=name))
        found.append(_one_of(DIMENSIONS[name][0], values))
    return found


def _one_of(column: Any, values: Iterable[Any]) -> Any:
    values = tuple(values)
    ids = [v for v in values if v is not None]
    parts = [column.in_(ids)] if ids else []
    if None in values:
        parts.append(column.is_(None))
    if not parts:
        return column.is_(None) & column.is_not(None)
    return parts[0] if len(parts) == 1 else parts[0] | parts[1]


def _notes(s: Session, ctx: Context, spec: Spec) -> tuple[str, ...]:
    notes = [
        _("Only deals in {code} are counted; deals in other currencies are left out").format(
            code=spec.currency
        )
    ]
    if not ctx.has(R.SEE_ALL):
        notes.append(_("Only the deals you see are counted"))
    return tuple(notes)


# --- the funnel -----------------------------------------------------------------------------


def funnel(ctx: Context, options: ReportOptions) -> ReportTable:
    """Open deals per active stage of a pipeline: count, money, weighted money (money ×
    the stage's probability) and conversion — the share of the deals that reached the
    previous stage which reached this one or a later one."""
    ctx.require(R.FUNNEL)
    with ctx.db.reader() as s:
        pipeline_id = options.pipeline_id or default_pipeline_id(s)
        spec = Spec("funnel", options, options.currency or base_currency(s), pipeline_id)
        stages = s.execute(
            select(Stage.id, Stage.name, Stage.probability)
            .where(Stage.pipeline_id == pipeline_id, Stage.is_active.is_(True))
            .order_by(Stage.sort_no)
        ).all()
        conditions = _conditions(ctx, spec, (DealStatus.OPEN,))
        sums = {
            stage_id: (count, _money(amount))
            for stage_id, count, amount in s.execute(
                select(Deal.stage_id, func.count(Deal.id), func.sum(Deal.amount))
                .where(*conditions)
                .group_by(Deal.stage_id)
            )
        }
        notes = _notes(s, ctx, spec)
    counts = [sums.get(st.id, (0, Decimal(0)))[0] for st in stages]
    reached = [sum(counts[i:]) for i in range(len(counts))]
    rows = []
    for i, st in enumerate(stages):
        count, amount = sums.get(st.id, (0, _money(0)))
        base = reached[i - 1] if i else 0
        conversion = _money(Decimal(reached[i] * 100) / base) if base else None
        rows.append(
            ReportRow(
                values={
                    "stage": st.name,
                    "count": count,
                    "amount": amount,
                    "weighted": _money(amount * st.probability / 100),
                    "conversion": conversion,
                },
                keys={"stage": st.id},
            )
        )
    return ReportTable(
        report="funnel",
        title=_("Sales funnel"),
        currency=spec.currency,
        period=options.period,
        columns=(
            Column("stage", _("Stage"), ColumnKind.TEXT, dimension=True),
            Column("count", _("Deals"), ColumnKind.COUNT),
            Column("amount", _("Money"), ColumnKind.MONEY),
            Column("weighted", _("Weighted"), ColumnKind.MONEY),
            Column("conversion", _("Conversion, %"), ColumnKind.PERCENT),
        ),
        rows=tuple(rows),
        totals={
            "count": sum(r.values["count"] for r in rows),
            "amount": sum((r.values["amount"] for r in rows), _money(0)),
            "weighted": sum((r.values["weighted"] for r in rows), _money(0)),
        },
        notes=notes,
        computed_at=clock.utcnow(),
        spec=spec,
    )


# --- deals by dimensions and dynamics --------------------------------------------------------


def _bucket(day: date, dynamics: str) -> tuple[date, str]:
    """The start of the period ``day`` falls in, and its label."""
    if dynamics == Dynamics.YEAR:
        return date(day.year, 1, 1), f"{day.year}"
    if dynamics == Dynamics.QUARTER:
        q = (day.month - 1) // 3
        return date(day.year, q * 3 + 1, 1), _("{year} Q{n}").format(year=day.year, n=q + 1)
    if dynamics == Dynamics.DECADE:
        start = min((day.day - 1) // 10, 2) * 10 + 1
        return date(day.year, day.month, start), f"{day:%Y-%m}-{start:02d}"
    return date(day.year, day.month, 1), f"{day:%Y-%m}"


def _bucket_end(start: date, dynamics: str) -> date:
    if dynamics == Dynamics.YEAR:
        return date(start.year, 12, 31)
    if dynamics == Dynamics.DECADE and start.day < 21:
        return start + timedelta(days=9)
    months = 3 if dynamics == Dynamics.QUARTER else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def deals_by(ctx: Context, name: str, options: ReportOptions) -> ReportTable:
    """Money or the count of deals (won by default) by up to two dimensions and one
    dynamics, over the period."""
    ctx.require(R.REPORTS)
    measure = options.measure or "money"
    if measure not in MEASURES:
        raise ServiceError(_("This measure is not available yet: {name}").format(name=measure))
    dims = [d for d in options.by if d not in PERIODS]
    periods = [d for d in options.by if d in PERIODS]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or len(periods) > 1 or not options.by:
        raise ServiceError(_("Choose up to two dimensions and at most one dynamics"))
    dynamics = periods[0] if periods else None
    statuses = _statuses(options, DealStatus.WON)
    key, title, kind = MEASURES[measure]
    with ctx.db.reader() as s:
        spec = Spec(name, options, options.currency or base_currency(s), options.pipeline_id)
        groups = [DIMENSIONS[d][0] for d in dims]
        if dynamics:
            groups.append(_date_column(statuses))
        value = func.count(Deal.id) if measure == "count" else func.sum(Deal.amount)
        query = select(*groups, value).where(*_conditions(ctx, spec, statuses)).group_by(*groups)
        raw = s.execute(query).all()
        names = {d: _names(s, d, {r[i] for r in raw}) for i, d in enumerate(dims)}
        notes = _notes(s, ctx, spec)
    folded: dict[tuple[Any, ...], Any] = defaultdict(int)
    labels: dict[tuple[Any, ...], dict[str, str]] = {}
    for r in raw:
        ids = list(r[: len(dims)])
        label = {d: names[d].get(ids[i], _("(not set)")) for i, d in enumerate(dims)}
        if dynamics:
            start, text = _bucket(r[len(dims)], dynamics)
            ids.append(start)
            label[dynamics] = text
        folded[tuple(ids)] += r[-1] or 0
        labels[tuple(ids)] = label
    order = sorted(folded, key=lambda k: tuple(labels[k][d] for d in dims) + tuple(k[len(dims) :]))
    by = [*dims, *([dynamics] if dynamics else [])]
    rows = tuple(
        ReportRow(
            values={**labels[k], key: folded[k] if kind is ColumnKind.COUNT else _money(folded[k])},
            keys=dict(zip(by, k, strict=True)),
        )
        for k in order
    )
    total = sum(r.values[key] for r in rows)
    return ReportTable(
        report=name,
        title=_("{measure} by {by}").format(
            measure=_(title), by=", ".join(_(DIMENSION_TITLES[d]).lower() for d in by)
        ),
        currency=spec.currency,
        period=options.period,
        columns=(
            *(Column(d, _(DIMENSION_TITLES[d]), ColumnKind.TEXT, dimension=True) for d in by),
            Column(key, _(title), kind),
        ),
        rows=rows,
        totals={key: total if kind is ColumnKind.COUNT else _money(total)},
        notes=notes,
        computed_at=clock.utcnow(),
        spec=spec,
    )


def _names(s: Session, dimension: str, ids: set[Any]) -> dict[Any, str]:
    _column, id_column, name_column = DIMENSIONS[dimension]
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(s.execute(select(id_column, name_column).where(id_column.in_(wanted))).all())


# --- drill-down ---------------------------------------------------------------------------


def drill(
    ctx: Context, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, tuple[int, ...]]:
    """The deals behind a number: those of the table's spec whose dimension values are
    ``row.keys`` (a key left out: any value), at most ``DRILL_LIMIT``."""
    spec: Spec = table.spec
    statuses = _statuses(spec.options, DealStatus.OPEN if spec.name == "funnel" else DealStatus.WON)
    conditions = _conditions(ctx, spec, statuses)
    for name, value in row.keys.items():
        if name in DIMENSIONS:
            conditions.append(_one_of(DIMENSIONS[name][0], (value,)))
        elif name in PERIODS and value is not None:
            column = _date_column(statuses)
            conditions += [column >= value, column <= _bucket_end(value, name)]
    with ctx.db.reader() as s:
        ids = s.scalars(
            select(Deal.id)
            .where(*conditions)
            .order_by(Deal.amount.desc(), Deal.id)
            .limit(DRILL_LIMIT)
        ).all()
    return DrillKind.DEALS, tuple(ids)


@dataclass(frozen=True)
class DealLine:
    id: int
    title: str
    company_id: int
    company_name: str
    manager_name: str | None
    amount: Decimal
    currency_code: str


def deal_lines(ctx: Context, ids: Sequence[int]) -> list[DealLine]:
    """The visible deals of ``ids``, in that order."""
    ctx.require(R.DEALS)
    wanted = list(ids)[:DRILL_LIMIT]
    if not wanted:
        return []
    with ctx.db.reader() as s:
        rows = s.execute(
            select(
                Deal.id,
                Deal.title,
                Deal.company_id,
                Company.name,
                AppUser.full_name,
                Deal.amount,
                Deal.currency_code,
            )
            .join(Company, Company.id == Deal.company_id)
            .outerjoin(AppUser, AppUser.id == Deal.manager_id)
            .where(Deal.id.in_(wanted), deal_visible(ctx))
        ).all()
    found = {r[0]: DealLine(*r) for r in rows}
    return [found[i] for i in wanted if i in found]


# --- files ----------------------------------------------------------------------------------


def export(ctx: Context, table: ReportTable, path: Path, kind: str) -> Path:
    """``table`` as a CSV (UTF-8 with BOM, ``;``) or an XLSX file at ``path``."""
    ctx.require(R.EXPORT)
    header = [c.title for c in table.columns]
    rows = [[r.values.get(c.key) for c in table.columns] for r in table.rows]
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(header)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
        return path
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for n, column in enumerate(table.columns, start=1):
        if column.kind is ColumnKind.MONEY:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    about = book.create_sheet(_("About")[:31])
    about.append([table.title])
    about.append([_("Currency"), table.currency])
    about.append([_("Computed at (UTC)"), table.computed_at])
    for note in table.notes:
        about.append([note])
    book.save(path)
    return path
