"""``qstui onec bank-import``: a bank statement (1CClientBankExchange) from the command
line (for cron).

Thin: read the file, call ``qstui.services.onec.bank_import`` with the context of
``--as LOGIN`` (default: the admin context), print a table or JSON. Exit code 0 when the
statement was read (even with lines reported), 1 when nothing could be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from qstui.cli.common import as_option, context, emit_json, json_option, plain, table_console
from qstui.domain.bank import MATCH_LABELS, BankLine, BankPreview, preview_summary
from qstui.domain.formatting import day, money
from qstui.i18n import _
from qstui.services.onec.bank_import import (
    import_statement,
    preview_statement,
    read_statement_file,
)


@click.command("bank-import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--account",
    "accounts",
    metavar="ACCOUNT",
    multiple=True,
    help="Our account (repeatable); default: the statement's own РасчСчет lines.",
)
@click.option("--apply", "apply", is_flag=True, help="Write the payments (default: a dry run).")
@as_option
@json_option
def bank_import(
    file: Path, accounts: tuple[str, ...], apply: bool, as_login: str | None, as_json: bool
) -> None:
    """Read a bank statement FILE, match its incoming payments to clients and deals and,
    with --apply, record the matched ones as payments from the bank. Importing the same
    statement again creates nothing."""
    data = read_statement_file(file)
    ctx = context(as_login)
    if apply:
        result = import_statement(ctx, data, accounts, source_name=file.name)
    else:
        result = preview_statement(ctx, data, accounts)
    if as_json:
        emit_json(as_dict(result))
        if not result.readable:
            raise click.exceptions.Exit(1)
    elif not result.readable:
        raise click.ClickException(
            _("{file}: this is not a bank statement (1CClientBankExchange)").format(file=file)
        )
    else:
        _print(result, apply)


def as_dict(result: BankPreview) -> dict[str, Any]:
    """The JSON of issue 13 (and a little more: currency, reason, candidates, names)."""
    return {
        "accounts": result.accounts,
        "incoming": [_line(line) for line in result.incoming],
        "outgoing": result.outgoing,
        "errors": plain(result.errors),
        "warnings": plain(result.warnings),
        "created": result.created,
        "run_id": result.run_id,
    }


def _line(line: BankLine) -> dict[str, Any]:
    match = line.match
    return {
        "line": line.line,
        "number": line.number,
        "date": line.doc_date.isoformat(),
        "amount": str(line.amount),
        "currency": line.currency_code,
        "payer_inn": line.payer_inn,
        "payer_kpp": line.payer_kpp,
        "payer_name": line.payer_name,
        "purpose": line.purpose,
        "account": line.account,
        "match": {
            "status": match.status.value,
            "company_id": match.company_id,
            "company_name": match.company_name or None,
            "deal_id": match.deal_id,
            "deal_title": match.deal_title or None,
            "reason": match.reason,
            "candidates": plain(match.candidates),
        },
        "payment_id": line.payment_id,
    }


def _print(result: BankPreview, applied: bool) -> None:
    console = table_console()
    if result.incoming:
        table = Table()
        for title, justify in (
            (_("Line"), "right"),
            (_("No."), "left"),
            (_("Date"), "left"),
            (_("Amount"), "right"),
            (_("Payer"), "left"),
            (_("Match"), "left"),
            (_("Client / deal"), "left"),
        ):
            table.add_column(title, justify=justify)  # type: ignore[arg-type]
        for line in result.incoming:
            table.add_row(
                str(line.line),
                line.number,
                day(line.doc_date),
                money(line.amount, line.currency_code or ""),
                f"{line.payer_name}\n{_('INN')} {line.payer_inn}"
                if line.payer_inn
                else line.payer_name,
                _status(line),
                _target(line),
            )
        console.print(table)
    for issue in result.errors:
        click.echo(_("Line {line}: {message}").format(line=issue.line, message=issue.message))
    for issue in result.warnings:
        click.echo(
            _("Line {line} (warning): {message}").format(line=issue.line, message=issue.message)
        )
    click.echo(preview_summary(result))
    if applied:
        click.echo(_("Payments created: {created}").format(created=result.created))
    else:
        click.echo(_("A dry run: nothing was written (--apply imports the matched payments)"))


def _status(line: BankLine) -> str:
    if line.payment_id is not None:
        return _("imported")
    return _(MATCH_LABELS[line.match.status])


def _target(line: BankLine) -> str:
    match = line.match
    if match.deal_id is not None:
        text = f"{match.company_name}: {match.deal_title}"
    elif match.company_name:
        text = match.company_name
    else:
        text = ""
    return f"{text}\n({match.reason})" if text else match.reason
