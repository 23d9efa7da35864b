"""``qstui report NAME``: the ready reports for cron and scripts.

One command per report of ``services.reports.ready.READY`` (a report added there gets
its command), all with the same options. Thin: parse the options into a
``ReportOptions``, run the report with the context of ``--as LOGIN``, print a rich
table or export it (``--format json|csv|xlsx``: needs the right ``export``; to
``--out FILE`` or, for json and csv, to stdout). Expected failures propagate to the
root group (one line on stderr, exit code 1).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from qstui.cli.common import as_option, context, table_console
from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import money, number
from qstui.domain.reports import ColumnKind, ReportOptions, ReportTable
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.refbooks.pipelines import list_pipelines
from qstui.services.reports import export as E
from qstui.services.reports.ready import READY, READY_TITLES, run_ready

MEASURES = ("money", "count", "weighted")


def parse_period(text: str) -> tuple[date, date]:
    """``2026-01-01..2026-12-31`` (inclusive)."""
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError(text)
        period = (date.fromisoformat(first.strip()), date.fromisoformat(last.strip()))
    except ValueError:
        raise ValidationFailed(
            {"period": _("A period is FROM..TO, e.g. 2026-01-01..2026-12-31")}
        ) from None
    if period[0] > period[1]:
        raise ValidationFailed({"period": _("The period ends before it begins")})
    return period


def _pipeline_id(ctx: Context, name: str) -> int:
    wanted = name.strip().casefold()
    for pipeline in list_pipelines(ctx, include_inactive=True):
        if pipeline.name.casefold() == wanted:
            return pipeline.id
    raise ValidationFailed({"pipeline": _("No pipeline named {name}").format(name=name)})


@click.group("report", context_settings={"help_option_names": ["-h", "--help"]})
def report() -> None:
    """Reports: sales, sources, refusals, claims … as a table, JSON, CSV or XLSX."""


def _options(command: Any) -> Any:
    for option in reversed(
        (
            click.option("--period", metavar="FROM..TO", help="e.g. 2026-01-01..2026-12-31."),
            click.option("--by", metavar="DIM[,DIM][,PERIOD]", help="Rows by, e.g. manager,month."),
            click.option("--measure", type=click.Choice(MEASURES), help="What to show."),
            click.option("--currency", metavar="CODE", help="Currency (default: the base one)."),
            click.option("--pipeline", "pipeline_name", metavar="NAME", help="Only this pipeline."),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(("table", *E.FORMATS)),
                default="table",
                show_default=True,
            ),
            click.option(
                "--out",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write to this file (needed for xlsx).",
            ),
        )
    ):
        command = option(command)
    return as_option(command)


def _make_command(name: str) -> click.Command:
    @click.command(name, help=f"{READY_TITLES.get(name, name)}.")
    @_options
    def command(
        period: str | None,
        by: str | None,
        measure: str | None,
        currency: str | None,
        pipeline_name: str | None,
        fmt: str,
        out: Path | None,
        as_login: str | None,
    ) -> None:
        if fmt == "xlsx" and out is None:
            raise ValidationFailed({"out": _("XLSX is written to a file: give --out FILE")})
        ctx = context(as_login)
        options = ReportOptions(
            period=parse_period(period) if period else None,
            by=tuple(p.strip() for p in by.split(",") if p.strip()) if by else (),
            measure=measure,
            currency=currency.strip().upper() if currency else None,
            pipeline_id=_pipeline_id(ctx, pipeline_name) if pipeline_name else None,
        )
        table = run_ready(ctx, name, options)
        if fmt == "table":
            _print(table)
            return
        if out is not None:
            E.export_report(ctx, table, out, fmt)
            click.echo(_("Written: {path}").format(path=out))
        elif fmt == "json":
            click.echo(json.dumps(E.table_json(ctx, table), ensure_ascii=False, indent=2))
        else:
            buffer = io.StringIO()
            E.write_csv(ctx, table, buffer)
            click.echo(buffer.getvalue(), nl=False)

    return command


def _cell(kind: ColumnKind, value: Any, currency: str) -> str:
    if value is None:
        return "—"
    if kind is ColumnKind.MONEY:
        return money(value, currency)
    if kind is ColumnKind.COUNT:
        return number(value)
    if kind is ColumnKind.PERCENT:
        return f"{number(value, 2)} %"
    if kind is ColumnKind.DAYS:
        return number(value, 1)
    if kind is ColumnKind.FLAG:
        return _("yes") if value else ""
    return str(value)


def _print(table: ReportTable) -> None:
    console = table_console()
    grid = Table(title=table.title)
    for column in table.columns:
        grid.add_column(column.title, justify="left" if column.dimension else "right")
    for row in table.rows:
        grid.add_row(*(_cell(c.kind, row.values.get(c.key), table.currency) for c in table.columns))
    if table.totals:
        grid.add_row(
            *(
                (_("Total") if i == 0 else "")
                if c.dimension
                else _cell(c.kind, table.totals.get(c.key), table.currency)
                for i, c in enumerate(table.columns)
            ),
            style="bold",
        )
    console.print(grid)
    for note in table.notes:
        console.print(note)


def register_reports() -> None:
    """A command for every ready report (called once the registry is complete)."""
    for name in READY:
        if name not in report.commands:
            report.add_command(_make_command(name))


register_reports()
