"""Export of a computed report (needs ``export``): JSON, CSV and XLSX.

- JSON: ``{"report", "currency", "period": [FROM, TO], "rows": [{dimension values by
  column key, measures by column key}], "totals": {...}}``; money and percents as
  decimal strings, counts as numbers, a missing percent as null.
- CSV: UTF-8 with BOM, ``;``-separated (Excel in Russian opens it as it is): a header
  row of column titles, the rows, a totals row; text cells that a spreadsheet would
  evaluate get a quote in front (the OWASP rule, ``domain.formulas``), numbers are
  written as numbers.
- XLSX: a sheet with a frozen header row, numbers as numbers (money with two decimals),
  text always as text (never a formula); a second sheet with the report's spec, notes
  and the moment it was computed.

Files are created readable by their owner only (``qstui.files``).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import moment
from qstui.domain.formulas import quote_formula
from qstui.domain.reports import ColumnKind, ReportTable
from qstui.files import open_private
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context

FORMATS = ("json", "csv", "xlsx")
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_json(ctx: Context, table: ReportTable) -> dict[str, Any]:
    """The report as the JSON object the CLI prints (see the module)."""
    ctx.require(R.EXPORT)
    keys = [c.key for c in table.columns]
    return {
        "report": table.report,
        "currency": table.currency,
        "period": [d.isoformat() for d in table.period] if table.period else None,
        "rows": [{k: _plain(row.values.get(k)) for k in keys} for row in table.rows],
        "totals": {k: _plain(v) for k, v in table.totals.items()},
    }


def _total_cells(table: ReportTable) -> list[Any]:
    cells: list[Any] = []
    for i, column in enumerate(table.columns):
        if column.dimension:
            cells.append(_("Total") if i == 0 else None)
        else:
            cells.append(table.totals.get(column.key))
    return cells


def _csv_cell(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:  # a ColumnKind.FLAG mark (over the credit limit …)
        return _("yes")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return quote_formula(value)
    return str(value)


def _note_lines(table: ReportTable) -> list[tuple[str, str]]:
    period = (
        f"{table.period[0].isoformat()} – {table.period[1].isoformat()}" if table.period else "—"
    )
    lines = [
        (_("Report"), table.title),
        (_("Name"), table.report),
        (_("Currency"), table.currency),
        (_("Period"), period),
        (_("Computed at"), moment(table.computed_at) if table.computed_at else "—"),
    ]
    options = getattr(table.spec, "options", None)
    if options is not None:
        if options.by:
            lines.append((_("Rows by"), ", ".join(options.by)))
        if options.measure:
            lines.append((_("Measure"), str(options.measure)))
    lines.extend((_("Note"), note) for note in table.notes)
    return lines


def write_csv(ctx: Context, table: ReportTable, out: IO[str]) -> None:
    """``table`` as CSV rows to ``out`` (opened by the caller: a file in UTF-8 with
    BOM, or stdout); needs ``export``."""
    ctx.require(R.EXPORT)
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_csv_cell(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row.values.get(c.key)) for c in table.columns])
    writer.writerow([_csv_cell(v) for v in _total_cells(table)])


def export_report(ctx: Context, table: ReportTable, path: str | Path, fmt: str) -> Path:
    """Write ``table`` to ``path`` as ``fmt`` (json, csv, xlsx); needs ``export``."""
    ctx.require(R.EXPORT)
    if fmt not in FORMATS:
        raise ValidationFailed({"format": _("Export to json, csv or xlsx")})
    target = Path(path)
    if fmt == "json":
        with open_private(target, "w", encoding="utf-8") as out:
            json.dump(table_json(ctx, table), out, ensure_ascii=False, indent=2)
            out.write("\n")
    elif fmt == "csv":
        with open_private(target, "w", encoding="utf-8-sig", newline="") as out:
            write_csv(ctx, table, out)
    else:
        _write_xlsx(table, target)
    return target


def _write_xlsx(table: ReportTable, target: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    sheet.append([c.title for c in table.columns])
    body = [[row.values.get(c.key) for c in table.columns] for row in table.rows]
    for values in [*body, _total_cells(table)]:
        sheet.append(values)
    for index, column in enumerate(table.columns, start=1):
        fmt = {ColumnKind.MONEY: MONEY_FORMAT, ColumnKind.PERCENT: PERCENT_FORMAT}.get(column.kind)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 24 if column.dimension else 16
        if fmt is None:
            continue
        for (cell,) in sheet.iter_rows(
            min_row=2, max_row=sheet.max_row, min_col=index, max_col=index
        ):
            cell.number_format = fmt
    sheet.freeze_panes = "A2"
    about = book.create_sheet(_("About")[:31])
    for name, value in _note_lines(table):
        about.append([name, value])
    _as_text(sheet)
    _as_text(about)
    with open_private(target, "wb") as out:
        book.save(out)


def _as_text(sheet: Any) -> None:
    """Every text cell as text: openpyxl takes a string starting with ``=`` for a
    formula, so the type is set back after the cell is made."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
