"""``qstui package list|show|send|retry|create|edit|attach|detach|delete``: packages of
materials (P1) from the command line. Thin: ``qstui.services.mailing`` with the context
of ``--as LOGIN``; the SMTP password is read as ``qstui mail`` keeps it
(``qstui.mail.secrets``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from qstui.cli.common import RecordId, as_option, context, emit_json, json_option, table_console
from qstui.cli.state import state
from qstui.i18n import N_, _
from qstui.mail.secrets import mail_secrets
from qstui.services.csv_table import decode
from qstui.services.mailing import materials as M
from qstui.services.mailing import package_edit as E
from qstui.services.mailing import packages as P
from qstui.services.mailing import sending as S

CLIENT_ID = RecordId(N_("Company"))
CONTACT_ID = RecordId(N_("Contact"))
MATERIAL_ID = RecordId(N_("Material"))
BODY_FILE_MAX = 1024 * 1024  # the text is at most 8000 characters; the service says so


def _package(text: str) -> int | str:
    """PACKAGE as an id when it is a number, else a name."""
    return int(text) if text.isdigit() else text


@click.group("package", context_settings={"help_option_names": ["-h", "--help"]})
def package() -> None:
    """Packages of materials sent by e-mail: list, show, send, retry, create, edit,
    attach, detach, delete."""


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
    table.add_column(_("Active"))
    for info in infos:
        active = _("yes") if info.is_active else _("no")
        table.add_row(str(info.id), info.name, info.subject, str(info.materials), active)
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
    click.echo(f"{detail.name} (№ {detail.id})" + ("" if detail.is_active else _(" — inactive")))
    click.echo(_("Subject: {subject}").format(subject=detail.subject))
    click.echo("")
    click.echo(detail.body)
    click.echo("")
    for m in detail.materials:
        click.echo(f"  📎 {m.id}: {m.title} — {m.file_name} ({m.size_bytes} B)")


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


# --- writing -----------------------------------------------------------------------------


def _body(file: str | None) -> str | None:
    """The text of ``--body-file`` ('-': stdin), UTF-8 or Windows-1251."""
    if file is None:
        return None
    try:
        if file == "-":
            data = sys.stdin.buffer.read(BODY_FILE_MAX + 1)
        else:
            with Path(file).expanduser().open("rb") as fh:
                data = fh.read(BODY_FILE_MAX + 1)
    except OSError as exc:
        raise click.ClickException(
            _("Cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc)
        ) from None
    return decode(data)[0]


body_file_option = click.option(
    "--body-file",
    "body_file",
    metavar="FILE",
    help="The letter's text from FILE ('-': stdin); placeholders {контакт} {компания} "
    "{менеджер} {дата}.",
)


@package.command("create")
@click.argument("name")
@click.option("--subject", required=True, help="The letter's subject (placeholders allowed).")
@body_file_option
@json_option
@as_option
def create_package(
    name: str, subject: str, body_file: str | None, as_json: bool, as_login: str | None
) -> None:
    """Create an active package NAME (attach its files with 'qstui package attach')."""
    package_id = E.create_package(context(as_login), name, subject, _body(body_file) or "")
    if as_json:
        emit_json({"id": package_id})
    else:
        click.echo(package_id)


@package.command("edit")
@click.argument("package_ref", metavar="PACKAGE")
@click.option("--name", help="A new name.")
@click.option("--subject", help="A new subject.")
@body_file_option
@click.option(
    "--active/--inactive", "is_active", default=None, help="Offer it for sending, or not."
)
@json_option
@as_option
def edit_package(
    package_ref: str,
    name: str | None,
    subject: str | None,
    body_file: str | None,
    is_active: bool | None,
    as_json: bool,
    as_login: str | None,
) -> None:
    """Change the package PACKAGE (id or name)."""
    values = {"name": name, "subject": subject, "body": _body(body_file), "is_active": is_active}
    changes = {key: value for key, value in values.items() if value is not None}
    if not changes:
        raise click.UsageError(_("Nothing to change: give at least one option"))
    ctx = context(as_login)
    detail = P.get_package(ctx, _package(package_ref))
    version = E.update_package(ctx, detail.id, detail.version, **changes)
    if as_json:
        emit_json({"id": detail.id, "version": version})
    else:
        click.echo(
            _("Package #{id} saved (version {version})").format(id=detail.id, version=version)
        )


@package.command("attach")
@click.argument("package_ref", metavar="PACKAGE")
@click.argument("file")
@click.option("--title", help="What the package shows (default: the file's name).")
@json_option
@as_option
def attach_file(
    package_ref: str, file: str, title: str | None, as_json: bool, as_login: str | None
) -> None:
    """Attach FILE to the package PACKAGE (as its last material); prints the material's id."""
    ctx = context(as_login)
    detail = P.get_package(ctx, _package(package_ref))
    material_id = M.attach_file(ctx, detail.id, file, title)
    if as_json:
        emit_json({"id": material_id})
    else:
        click.echo(material_id)


@package.command("detach")
@click.argument("package_ref", metavar="PACKAGE")
@click.argument("material_id", type=MATERIAL_ID)
@as_option
def detach_material(package_ref: str, material_id: int, as_login: str | None) -> None:
    """Take the material MATERIAL_ID (see 'qstui package show') off the package PACKAGE."""
    ctx = context(as_login)
    detail = P.get_package(ctx, _package(package_ref))
    M.detach_material(ctx, detail.id, material_id)
    click.echo(_("Material #{id} detached").format(id=material_id))


@package.command("delete")
@click.argument("package_ref", metavar="PACKAGE")
@as_option
def delete_package(package_ref: str, as_login: str | None) -> None:
    """Delete the package PACKAGE; one already sent is kept (use 'edit --inactive')."""
    ctx = context(as_login)
    detail = P.get_package(ctx, _package(package_ref))
    E.delete_package(ctx, detail.id, detail.version)
    click.echo(_("Package «{name}» deleted").format(name=detail.name))
