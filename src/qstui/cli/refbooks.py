"""``qstui refbook …``: the reference books (S1) from the command line — list them,
show one, export one to CSV and import one from CSV (a dry run first). Thin: the
services of ``qstui.services.refbooks.books`` and ``book_files`` with the context of
``--as LOGIN`` (default: the admin context)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from qstui.cli.common import as_option, context, emit_json, json_option, table_console
from qstui.domain.refbooks import ImportPlan
from qstui.i18n import _
from qstui.services.refbooks import book_files
from qstui.services.refbooks import books as B


@click.group("refbook", context_settings={"help_option_names": ["-h", "--help"]})
def refbook() -> None:
    """Reference books: list, show, export to CSV, import from CSV."""


@refbook.command("list")
@json_option
@as_option
def list_books(as_json: bool, as_login: str | None) -> None:
    """Every reference book with how many values it holds."""
    infos = B.list_books(context(as_login))
    if as_json:
        emit_json(
            [
                {"name": i.name, "title": i.title, "count": i.count, "inactive": i.inactive}
                for i in infos
            ]
        )
        return
    table = Table()
    table.add_column(_("Book"), no_wrap=True)
    table.add_column(_("Title"))
    table.add_column(_("Values"), justify="right")
    table.add_column(_("Inactive"), justify="right")
    for i in infos:
        table.add_row(i.name, i.title, str(i.count), str(i.inactive) if i.inactive else "")
    table_console().print(table)


@refbook.command("show")
@click.argument("name")
@click.option("--active", "active_only", is_flag=True, help="Only the active values.")
@json_option
@as_option
def show_book(name: str, active_only: bool, as_json: bool, as_login: str | None) -> None:
    """The values of the book NAME (see `qstui refbook list`)."""
    ctx = context(as_login)
    rows, total = B.book_rows(ctx, name, include_inactive=not active_only)
    info = B.book(name).info()
    if as_json:
        emit_json(
            {
                "book": name,
                "total": total,
                "rows": [{"id": r.id, **r.values, "is_active": r.is_active} for r in rows],
            }
        )
        return
    table = Table(title=info.title)
    table.add_column("id", justify="right", no_wrap=True)
    for f in info.fields:
        table.add_column(_(f.label))
    if info.can_deactivate:
        table.add_column(_("Active"))
    for r in rows:
        cells = [str(r.id), *(r.shown[f.key] for f in info.fields)]
        if info.can_deactivate:
            cells.append(_("yes") if r.is_active else _("no"))
        table.add_row(*cells)
    table_console().print(table)
    if total > len(rows):
        click.echo(_("Shown {n} of {total}").format(n=len(rows), total=total))


@refbook.command("export")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@as_option
def export_book(name: str, file: Path, as_login: str | None) -> None:
    """Write the book NAME to FILE as CSV (UTF-8 with BOM, ';'); '-' for stdout."""
    ctx = context(as_login)
    if str(file) == "-":
        book_files.export_book(ctx, name, sys.stdout)
        return
    count = book_files.export_file(ctx, name, file)
    click.echo(_("Exported {n} values to {file}").format(n=count, file=file), err=True)


@refbook.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: a dry run).")
@json_option
@as_option
def import_book(name: str, file: Path, apply_: bool, as_json: bool, as_login: str | None) -> None:
    """Import the book NAME from a CSV FILE (as `export` writes it).

    Lines are matched by id when given, else by the book's key (a name or a code).
    Without --apply only the plan is printed. A file with any bad line is never
    applied: exit code 1 and one message per bad line."""
    ctx = context(as_login)
    plan = book_files.plan_import(ctx, name, file)
    added = changed = 0
    if apply_ and not plan.errors:
        added, changed = book_files.apply_import(ctx, plan)
    if as_json:
        emit_json(_plan_json(plan, apply_ and not plan.errors))
    else:
        _print_plan(plan, apply_ and not plan.errors, added, changed)
    if plan.errors:
        raise click.exceptions.Exit(1)


def _plan_json(plan: ImportPlan, applied: bool) -> dict:
    return {
        "book": plan.book,
        "applied": applied,
        "add": plan.count("add"),
        "change": plan.count("change"),
        "same": plan.count("same"),
        "errors": [{"line": n, "error": why} for n, why in plan.errors],
        "lines": [
            {
                "line": x.line_no,
                "action": x.action,
                "value": x.label,
                "id": x.row_id,
                "changes": x.changes,
            }
            for x in plan.lines
            if x.action != "same"
        ],
    }


def _print_plan(plan: ImportPlan, applied: bool, added: int, changed: int) -> None:
    if applied:
        click.echo(
            _("Imported: {added} added, {changed} changed, {same} unchanged").format(
                added=added, changed=changed, same=plan.count("same")
            )
        )
    else:
        click.echo(
            _(
                "Dry run (nothing written; use --apply): {added} to add, {changed} to change, "
                "{same} unchanged, {errors} with errors"
            ).format(
                added=plan.count("add"),
                changed=plan.count("change"),
                same=plan.count("same"),
                errors=len(plan.errors),
            )
        )
        for line in plan.lines:
            if line.action == "add":
                click.echo(_("Line {n}: add «{value}»").format(n=line.line_no, value=line.label))
            elif line.action == "change":
                click.echo(
                    _("Line {n}: change «{value}»: {fields}").format(
                        n=line.line_no, value=line.label, fields=", ".join(line.changes)
                    )
                )
    for n, why in plan.errors:
        click.echo(_("Line {n}: {why}").format(n=n, why=why), err=True)
    if plan.errors:
        click.echo(_("The file has errors: nothing was imported"), err=True)
