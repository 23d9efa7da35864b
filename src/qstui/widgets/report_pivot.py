"""A ``ReportTable`` (long format) laid out for the screen: pivoted by its period when it
has one (the other dimensions as rows, the periods as columns, a totals row and column),
else as it is with a totals row; and the per-row totals that the bar chart and the share
view draw. Every shown number knows the ``ReportRow`` keys and the column behind it, so
Enter can ask the services what it is made of (a key left out: any value)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qstui.domain import formatting as fmt
from qstui.domain.reports import Column, ColumnKind, Dynamics, ReportTable

PERIOD_KEYS = frozenset(d.value for d in Dynamics if d is not Dynamics.NONE)
TOTAL_KEY = "__total__"


@dataclass(frozen=True)
class Cell:
    text: str
    number: bool  # right-aligned; Enter drills into it
    keys: dict[str, Any] | None = None  # the keys behind it (None: not a number)
    column_key: str = ""


@dataclass(frozen=True)
class Layout:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]  # the last one is the totals row when ``totals``
    totals: bool


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # the row's total of the measure
    keys: dict[str, Any]


def show(value: Any, kind: ColumnKind, currency: str) -> str:
    if value is None:
        return "—" if kind in (ColumnKind.PERCENT, ColumnKind.DAYS) else ""
    if kind is ColumnKind.MONEY:
        return fmt.money(value, currency)
    if kind is ColumnKind.PERCENT:
        return f"{fmt.number(value, 1)} %"
    if kind is ColumnKind.DAYS:
        return fmt.number(value, 1)
    if kind is ColumnKind.COUNT:
        return fmt.number(value)
    return str(value)


def period_column(table: ReportTable) -> Column | None:
    return next((c for c in table.dimension_columns if c.key in PERIOD_KEYS), None)


def row_dimensions(table: ReportTable) -> tuple[Column, ...]:
    return tuple(c for c in table.dimension_columns if c.key not in PERIOD_KEYS)


def summable(column: Column) -> bool:
    return column.kind in (ColumnKind.MONEY, ColumnKind.COUNT)


def default_measure(table: ReportTable) -> Column | None:
    measures = table.measure_columns
    return next((c for c in measures if summable(c)), measures[0] if measures else None)


def _label(values: dict[str, Any], dims: tuple[Column, ...]) -> str:
    return " · ".join(str(values.get(c.key) or "—") for c in dims) or "—"


def _sum(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def layout(table: ReportTable, measure: Column | None, total_title: str) -> Layout:
    period = period_column(table)
    if period is not None and measure is not None:
        return _pivot(table, period, measure, total_title)
    return _flat(table, total_title)


def _flat(table: ReportTable, total_title: str) -> Layout:
    cur = table.currency
    rows = [
        tuple(
            Cell(show(r.values.get(c.key), c.kind, cur), False)
            if c.dimension
            else Cell(show(r.values.get(c.key), c.kind, cur), True, dict(r.keys), c.key)
            for c in table.columns
        )
        for r in table.rows
    ]
    totals = bool(table.totals) and bool(table.rows)
    if totals:
        cells = []
        for n, c in enumerate(table.columns):
            if c.dimension:
                cells.append(Cell(total_title if n == 0 else "", False))
            elif c.key in table.totals:
                cells.append(Cell(show(table.totals[c.key], c.kind, cur), True, {}, c.key))
            else:
                cells.append(Cell("", False))
        rows.append(tuple(cells))
    return Layout(tuple(c.title for c in table.columns), tuple(rows), totals)


def _pivot(table: ReportTable, period: Column, measure: Column, total_title: str) -> Layout:
    cur, dims = table.currency, row_dimensions(table)
    periods: dict[Any, str] = {}
    lines: dict[tuple[Any, ...], tuple[str, dict[str, Any], dict[Any, Any]]] = {}
    for r in table.rows:
        start = r.keys.get(period.key, r.values.get(period.key))
        periods.setdefault(start, str(r.values.get(period.key)))
        ident = tuple(r.keys.get(c.key, r.values.get(c.key)) for c in dims)
        if ident not in lines:
            keys = {c.key: r.keys[c.key] for c in dims if c.key in r.keys}
            lines[ident] = (_label(r.values, dims), keys, {})
        lines[ident][2][start] = r.values.get(measure.key)
    order = sorted(periods, key=lambda p: (p is None, str(p) if p is not None else ""))
    add = summable(measure)
    rows = []
    for label, keys, cells in lines.values():
        row = [Cell(label, False)]
        for p in order:
            row.append(
                Cell(
                    show(cells.get(p), measure.kind, cur),
                    True,
                    {**keys, period.key: p},
                    measure.key,
                )
            )
        if add:
            row.append(
                Cell(
                    show(_sum(list(cells.values())), measure.kind, cur),
                    True,
                    dict(keys),
                    measure.key,
                )
            )
        rows.append(tuple(row))
    if add and rows:
        total = [Cell(total_title, False)]
        for p in order:
            column = [cells.get(p) for _l, _k, cells in lines.values()]
            total.append(
                Cell(show(_sum(column), measure.kind, cur), True, {period.key: p}, measure.key)
            )
        grand = table.totals.get(measure.key)
        if grand is None:
            grand = _sum([v for _l, _k, cells in lines.values() for v in cells.values()])
        total.append(Cell(show(grand, measure.kind, cur), True, {}, measure.key))
        rows.append(tuple(total))
    headers = (
        " · ".join(c.title for c in dims) or measure.title,
        *(periods[p] for p in order),
        *((total_title,) if add else ()),
    )
    return Layout(headers, tuple(rows), add and bool(rows))


def bars(table: ReportTable, measure: Column | None) -> list[Bar]:
    """One bar per line of the rows (the periods summed up), in the table's order; a
    table with a period only: one bar per period."""
    if measure is None:
        return []
    dims = row_dimensions(table) or tuple(table.dimension_columns)
    found: dict[tuple[Any, ...], Bar] = {}
    for r in table.rows:
        ident = tuple(r.keys.get(c.key, r.values.get(c.key)) for c in dims)
        value = r.values.get(measure.key)
        value = Decimal(value) if value is not None else Decimal(0)
        if ident in found:
            old = found[ident]
            found[ident] = Bar(old.label, old.value + value, old.keys)
        else:
            keys = {c.key: r.keys[c.key] for c in dims if c.key in r.keys}
            found[ident] = Bar(_label(r.values, dims), value, keys)
    return list(found.values())


def series(table: ReportTable, measure: Column) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """For a chart over time: the period labels and one series of values per line of
    the rows (floats: drawing only)."""
    period = period_column(table)
    if period is None:
        return [], []
    dims = row_dimensions(table)
    starts: dict[Any, str] = {}
    values: dict[str, dict[Any, float]] = {}
    for r in table.rows:
        start = r.keys.get(period.key, r.values.get(period.key))
        starts.setdefault(start, str(r.values.get(period.key)))
        label = _label(r.values, dims) if dims else measure.title
        value = r.values.get(measure.key)
        values.setdefault(label, {})[start] = float(value or 0)
    order = sorted(starts, key=lambda p: (p is None, str(p) if p is not None else ""))
    return [starts[p] for p in order], [
        (label, [line.get(p, 0.0) for p in order]) for label, line in values.items()
    ]
