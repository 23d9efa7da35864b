"""``qstui package list|show|send|retry``: packages of materials (P1) from the command
line. Thin: ``qstui.services.mailing`` with the context of ``--as LOGIN``; the SMTP
password is read as ``qstui mail`` keeps it (``qstui.mail.secrets``)."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from qstui.cli.common import RecordId, as_option, context, emit_json, json_option, table_console
from qstui.cli.state import state
from qstui.i18n import N_, _
from qstui.mail.secrets import mail_secrets
from qstui.services.mailing import packages as P
from qstui.services.mailing import sending as S

CLIENT_ID = RecordId(N_("Company"))
CONTACT_ID = RecordId(N_("Contact"))


def _package(text: str) -> int | str:
    """PACKAGE as an id when it is a number, else a name."""
    return int(text) if text.isdigit() else text


@click.group("package", context_settings={"help_option_names": ["-h", "--help"]})
def package() -> None:
    """Packages of materials sent by e-mail: list, show, send, retry."""


@package.command("list")
@json_option
@as_option
def list_packages(as_json: bool, as_login: str | None) -> None:
    """List the packages."""
    infos = P.list_packages(context(as_login))
    if as_json:
        emit_json(infos)
        return
    if not infos:
        click.echo(_("No packages"))
        return
    table = Table()
    table.add_column(_("No."), justify="right", no_wrap=True)
    table.add_column(_("Package"))
    table.add_column(_("Subject"))
    table.add_column(_("Materials"), justify="right")
    for info in infos:
        table.add_row(str(info.id), info.name, info.subject, str(info.materials))
    table_console().print(table)


@package.command("show")
@click.argument("package_ref", metavar="PACKAGE")
@json_option
@as_option
def show_package(package_ref: str, as_json: bool, as_login: str | None) -> None:
    """Show the package PACKAGE (id or name): subject, text and materials."""
    detail = P.get_package(context(as_login), _package(package_ref))
    if as_json:
        emit_json(detail)
        return
    click.echo(f"{detail.name} (№ {detail.id})")
    click.echo(_("Subject: {subject}").format(subject=detail.subject))
    click.echo("")
    click.echo(detail.body)
    click.echo("")
    for m in detail.materials:
        click.echo(f"  📎 {m.title} — {m.file_name} ({m.size_bytes} B)")


def _report(outcomes: list[S.Outcome], as_json: bool) -> None:
    failed = [o for o in outcomes if not o.sent]
    if as_json:
        emit_json(
            [
                {
                    "sending_id": o.sending_id,
                    "company_id": o.recipient.company_id,
                    "contact_id": o.recipient.contact_id,
                    "address": o.recipient.address,
                    "sent": o.sent,
                    "answer": o.answer,
                }
                for o in outcomes
            ]
        )
    else:
        click.echo(
            _("Sent: {sent}, failed: {failed}").format(
                sent=len(outcomes) - len(failed), failed=len(failed)
            )
        )
        for o in failed:
            click.echo(f"  ✗ {o.recipient.address} ({o.recipient.company}): {o.answer}")
        if failed:
            click.echo(_("Send the failed ones again with “qstui package retry”"))
    if failed:
        sys.exit(1)


@package.command("send")
@click.argument("package_ref", metavar="PACKAGE")
@click.option("--client", "client_id", type=CLIENT_ID, help="Send to this client's contacts.")
@click.option(
    "--contact", "contact_ids", type=CONTACT_ID, multiple=True, help="Only this contact (repeat)."
)
@click.option("--group", "group", help="Send to every contact of this client group (name).")
@json_option
@as_option
def send_package(
    package_ref: str,
    client_id: int | None,
    contact_ids: tuple[int, ...],
    group: str | None,
    as_json: bool,
    as_login: str | None,
) -> None:
    """Send PACKAGE to the contacts of a client (--client) or a group (--group)."""
    if (client_id is None) == (group is None):
        raise click.UsageError(_("Give either --client ID or --group NAME"))
    ctx = context(as_login)
    if client_id is not None:
        recipients = S.client_recipients(ctx, client_id, contact_ids or None)
    else:
        recipients = S.group_recipients(ctx, group or "")
    if not recipients:
        raise click.ClickException(_("No contact with an e-mail open to mailing"))
    secrets = mail_secrets(state().settings.config_file)
    _report(S.send_package(ctx, secrets, _package(package_ref), recipients), as_json)


@package.command("retry")
@click.argument("package_ref", metavar="PACKAGE")
@json_option
@as_option
def retry_package(package_ref: str, as_json: bool, as_login: str | None) -> None:
    """Send again the letters of PACKAGE that failed (never the ones that went out)."""
    ctx = context(as_login)
    failed = S.failed_sendings(ctx, _package(package_ref))
    if not failed:
        click.echo(_("Nothing to send again"))
        return
    secrets = mail_secrets(state().settings.config_file)
    _report(S.retry(ctx, secrets, failed), as_json)
