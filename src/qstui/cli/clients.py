"""``qstui client …``: Clients: list, show, add, edit, import and export companies.

Thin: parse the arguments, call the clients services with the context of ``--as LOGIN``
(default: the admin context), print rich tables or JSON. Expected failures go to the
root group (one line on stderr, exit code 1); a form that fails validation prints one
line per bad field, and possible duplicates one line per company, both with exit code 1.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qstui.cli.common import (
    COMPANY_ID,
    as_option,
    context,
    emit_json,
    json_option,
    table_console,
)
from qstui.domain.clients import (
    ClientCard,
    ClientFilter,
    ClientRow,
    ClientSort,
    CompanyInput,
    DuplicatesFound,
    ImportReport,
    SortKey,
)
from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import day, moment, money
from qstui.domain.formatting import debt as fmt_debt
from qstui.i18n import _
from qstui.services.access.user_lookup import user_id_by_login
from qstui.services.clients import companies as clients_service
from qstui.services.clients.export import export_clients
from qstui.services.clients.importing import import_clients
from qstui.services.context import Context


def _fail_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(1)


def _save(action: Any) -> Any:
    """Run a save; a validation failure prints one line per field, duplicates one line
    per company (exit code 1)."""
    try:
        return action()
    except ValidationFailed as exc:
        _fail_lines([f"{field}: {message}" for field, message in exc.errors.items()])
    except DuplicatesFound as exc:
        _fail_lines(
            [_("Possible duplicates (use --force to save anyway):")]
            + [f"  {hit.describe()}" for hit in exc.hits]
        )


def _manager(ctx: Context, login: str | None, assigning: bool = False) -> int | None:
    return user_id_by_login(ctx, login, assigning=assigning) if login else None


def _debt(value: Decimal, currency: str = "RUB") -> Text:
    """A debt in red; an advance (paid more than invoiced) as «аванс …»."""
    return Text(fmt_debt(value, currency), style="red" if value > 0 else "")


@click.group("client", context_settings={"help_option_names": ["-h", "--help"]})
def client() -> None:
    """Clients: list, show, add, edit, import and export companies."""


# --- list / idle / show ---------------------------------------------------------------------


def _rows_table(rows: list[ClientRow]) -> Table:
    table = Table(show_lines=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column(_("Company"))
    table.add_column(_("INN"), no_wrap=True)
    table.add_column(_("City"))
    table.add_column(_("Phone"), no_wrap=True)
    table.add_column(_("Manager"))
    table.add_column(_("Last contact"), no_wrap=True)
    table.add_column(_("Debt"), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row.id),
            row.name,
            row.inn or "",
            row.city or "",
            row.phone or "",
            row.manager or "",
            day(row.last_contact_at),
            _debt(row.debt),
        )
    return table


@client.command("list")
@click.option("--filter", "text", metavar="TEXT", help="Quick filter: words of any field.")
@click.option("--manager", "manager_login", metavar="LOGIN", help="Only this manager's clients.")
@click.option("--city", metavar="TEXT", help="Only clients whose city starts with TEXT.")
@click.option(
    "--sort",
    type=click.Choice([k.value for k in SortKey]),
    default=SortKey.NAME.value,
    show_default=True,
    help="Sort key.",
)
@click.option("--desc", is_flag=True, help="Sort descending.")
@click.option(
    "--limit",
    type=click.IntRange(1, clients_service.MAX_PAGE),
    default=100,
    show_default=True,
    help="At most this many clients.",
)
@as_option
@json_option
def list_clients(
    text: str | None,
    manager_login: str | None,
    city: str | None,
    sort: str,
    desc: bool,
    limit: int,
    as_login: str | None,
    as_json: bool,
) -> None:
    """List the clients you see, filtered and sorted."""
    ctx = context(as_login)
    flt = ClientFilter(text=text, city=city, manager_id=_manager(ctx, manager_login))
    page = clients_service.list_clients(ctx, flt, ClientSort(SortKey(sort), desc), limit=limit)
    if as_json:
        emit_json(page.rows)
        return
    total = clients_service.count_clients(ctx, flt)
    if not page.rows:
        click.echo(_("No clients found"))
        return
    table_console().print(_rows_table(page.rows))
    click.echo(_("Shown {shown} of {total}").format(shown=len(page.rows), total=total))


@client.command("idle")
@click.option("--manager", "manager_login", metavar="LOGIN", help="Whose clients (default: yours).")
@click.option("--days", type=click.IntRange(0, 3650), help="No contact for this many days.")
@as_option
@json_option
def idle(manager_login: str | None, days: int | None, as_login: str | None, as_json: bool) -> None:
    """Clients nobody contacted for a while (the manager's setting, 30 days by default)."""
    ctx = context(as_login)
    rows = clients_service.idle_clients(ctx, _manager(ctx, manager_login), days)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(_("No idle clients"))
        return
    table_console().print(_rows_table(rows))


def _section(console: Console, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    if not rows:
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _print_card(card: ClientCard) -> None:
    console = table_console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    for label, value in (
        (_("Client"), f"{card.name}  (#{card.id}, v{card.version})"),
        (_("Full legal name"), card.full_name),
        (_("INN / KPP"), " / ".join(x for x in (card.inn, card.kpp) if x)),
        (_("OGRN"), card.ogrn),
        (_("Legal address"), card.legal_address),
        (_("City"), card.city),
        (_("Region"), card.region),
        (_("Industry"), card.industry),
        (_("Source"), card.source),
        (_("Manager"), card.manager),
        (_("Rating"), "★" * card.rating if card.rating else None),
        (_("Last contact"), moment(card.last_contact_at)),
        (_("Debt"), _debt(card.total_debt)),
        (_("Notes"), card.notes),
    ):
        if value:
            head.add_row(label, value)
    console.print(head)
    phones = [p.number for p in card.phones] + [e.address for e in card.emails]
    if phones:
        click.echo(_("Phones and e-mails: {items}").format(items=", ".join(phones)))
    _section(
        console,
        _("Contact persons"),
        [_("Full name"), _("Position"), _("Phones"), _("E-mails")],
        [
            [
                c.full_name,
                c.job_title or "",
                ", ".join(p.number for p in c.phones),
                ", ".join(e.address for e in c.emails),
            ]
            for c in card.contacts
        ],
    )
    _section(
        console,
        _("Deals"),
        ["ID", _("Title"), _("Status"), _("Stage"), _("Amount"), _("Debt")],
        [
            [
                str(d.id),
                d.title,
                d.status.value,
                d.stage or "",
                money(d.amount, d.currency_code),
                _debt(d.debt, d.currency_code),
            ]
            for d in card.deals
        ],
    )
    _section(
        console,
        _("Plans"),
        [_("When"), _("Type"), _("Subject"), _("Responsible")],
        [[moment(p.when), p.type, p.subject, p.responsible or ""] for p in card.plans],
    )
    _section(
        console,
        _("History"),
        [_("When"), _("Type"), _("Subject"), _("Result"), _("Responsible")],
        [
            [moment(h.when), h.type, h.subject, h.result or "", h.responsible or ""]
            for h in card.history
        ],
    )
    groups = [g.name for g in card.groups]
    if groups:
        click.echo(_("Groups: {names}").format(names=", ".join(groups)))


@client.command("show")
@click.argument("company_id", type=COMPANY_ID)
@as_option
@json_option
def show(company_id: int, as_login: str | None, as_json: bool) -> None:
    """Show the card of client ID."""
    card = clients_service.get_card(context(as_login), company_id)
    if as_json:
        emit_json(card)
        return
    _print_card(card)


# --- add / edit -------------------------------------------------------------------------------


def _form_options(fn: Any) -> Any:
    for name, help_text in reversed(
        (
            ("--inn", "INN (10 or 12 digits)."),
            ("--kpp", "KPP (9 characters)."),
            ("--ogrn", "OGRN (13 digits) or OGRNIP (15 digits)."),
            ("--phone", "The company's phone."),
            ("--email", "The company's e-mail."),
            ("--city", "City."),
            ("--address", "Legal address."),
            ("--full-name", "Full legal name."),
            ("--notes", "Notes."),
        )
    ):
        fn = click.option(name, metavar="TEXT", help=help_text)(fn)
    return fn


@client.command("add")
@click.option("--name", required=True, metavar="NAME", help="Company name, e.g. 'ООО Ромашка'.")
@_form_options
@click.option("--manager", "manager_login", metavar="LOGIN", help="Responsible manager.")
@click.option("--force", is_flag=True, help="Save even if possible duplicates are found.")
@as_option
@json_option
def add(
    name: str,
    inn: str | None,
    kpp: str | None,
    ogrn: str | None,
    phone: str | None,
    email: str | None,
    city: str | None,
    address: str | None,
    full_name: str | None,
    notes: str | None,
    manager_login: str | None,
    force: bool,
    as_login: str | None,
    as_json: bool,
) -> None:
    """Register a client (checked for duplicates first); prints the new id."""
    ctx = context(as_login)
    data = CompanyInput(
        name=name,
        inn=inn,
        kpp=kpp,
        ogrn=ogrn,
        phone=phone,
        email=email,
        city=city,
        legal_address=address,
        full_name=full_name,
        notes=notes,
        manager_id=_manager(ctx, manager_login, assigning=True),
    )
    new_id = _save(lambda: clients_service.create_company(ctx, data, force=force))
    if as_json:
        emit_json({"id": new_id})
    else:
        click.echo(new_id)


@client.command("edit")
@click.argument("company_id", type=COMPANY_ID)
@click.option("--name", metavar="NAME", help="Company name.")
@_form_options
@click.option("--rating", type=click.IntRange(0, 5), help="Rating, 0–5 stars.")
@click.option("--manager", "manager_login", metavar="LOGIN", help="Give to another manager.")
@as_option
@json_option
def edit(
    company_id: int, manager_login: str | None, as_login: str | None, as_json: bool, **values: Any
) -> None:
    """Change fields of client ID (an empty value clears a field)."""
    ctx = context(as_login)
    changes = {
        {"address": "legal_address"}.get(key, key): value
        for key, value in values.items()
        if value is not None
    }
    if manager_login:
        changes["manager_id"] = _manager(ctx, manager_login, assigning=True)
    if not changes:
        raise click.UsageError(_("Nothing to change: give at least one option"))
    version = clients_service.get_card(ctx, company_id).version
    new_version = _save(lambda: clients_service.update_company(ctx, company_id, version, **changes))
    if as_json:
        emit_json({"id": company_id, "version": new_version})
    else:
        click.echo(
            _("Client #{id} saved (version {version})").format(id=company_id, version=new_version)
        )


# --- import / export --------------------------------------------------------------------------


def _report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "applied": report.applied,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "columns": list(report.columns),
        "ignored_columns": list(report.ignored_columns),
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": [
            {"line": line.line_no, "name": line.name, "errors": dict(line.errors)}
            for line in report.rejected
        ],
        "lines": report.lines,
    }


@client.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: a dry run).")
@as_option
@json_option
def import_(file: Path, apply_: bool, as_login: str | None, as_json: bool) -> None:
    """Import clients from a CSV file (UTF-8 or Windows-1251, ';' or ',').

    Lines are matched to existing clients by INN, else by name. Without --apply only a
    report is printed; with --apply every good line is written in one transaction.
    Exit code 1 when a line is rejected (with --apply the good lines are still written).
    """
    report = import_clients(context(as_login), file, apply=apply_)
    if as_json:
        emit_json(_report_json(report))
    else:
        _print_report(report)
    if report.rejected:
        raise click.exceptions.Exit(1)


def _print_report(report: ImportReport) -> None:
    if report.applied:
        summary = _(
            "Imported: {created} created, {updated} updated, {unchanged} unchanged, "
            "{rejected} rejected"
        )
    else:
        summary = _(
            "Dry run (nothing written; use --apply): {created} to create, {updated} to update, "
            "{unchanged} unchanged, {rejected} rejected"
        )
    click.echo(
        summary.format(
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
        )
    )
    if report.ignored_columns:
        click.echo(_("Ignored columns: {names}").format(names=", ".join(report.ignored_columns)))
    for line in report.rejected:
        reasons = "; ".join(
            message if field == "line" else f"{field}: {message}"
            for field, message in line.errors.items()
        )
        click.echo(_("line {n}: {reasons}").format(n=line.line_no, reasons=reasons))


@client.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--filter", "text", metavar="TEXT", help="Quick filter: words of any field.")
@click.option("--manager", "manager_login", metavar="LOGIN", help="Only this manager's clients.")
@as_option
def export(file: Path, text: str | None, manager_login: str | None, as_login: str | None) -> None:
    """Export the clients you see to FILE (.csv or .xlsx); needs the right export."""
    ctx = context(as_login)
    flt = ClientFilter(text=text, manager_id=_manager(ctx, manager_login))
    count = export_clients(ctx, file, flt)
    click.echo(_("{n} clients exported to {file}").format(n=count, file=file))
