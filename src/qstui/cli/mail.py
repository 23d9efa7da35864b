"""``qstui mail setup|test``: the SMTP server packages are sent through (P1).

The SMTP password is read from stdin (``--password-stdin``), never from the command line,
and kept in the admin's private config file or ``QSTUI_SMTP_PASSWORD``
(``qstui.mail.secrets``), never in the shared database.
"""

from __future__ import annotations

import click

from qstui.cli.common import as_option, context, stdin_password
from qstui.cli.state import state
from qstui.i18n import _
from qstui.mail.secrets import ENV, KEY, mail_secrets
from qstui.onec.secrets import Secrets


def _secrets() -> Secrets:
    return mail_secrets(state().settings.config_file)


@click.group("mail", context_settings={"help_option_names": ["-h", "--help"]})
def mail() -> None:
    """The SMTP server that sends packages."""


@mail.command("setup")
@click.option("--host", required=True, help="The SMTP server's host name.")
@click.option("--port", type=click.IntRange(1, 65535), required=True, help="Its port.")
@click.option("--starttls", "security", flag_value="starttls", help="Encrypt with STARTTLS.")
@click.option("--ssl", "security", flag_value="ssl", help="Connect over TLS (SMTPS).")
@click.option("--plain", "security", flag_value="none", help="No encryption (a local relay only).")
@click.option("--user", default="", help="The SMTP user (none: no login).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help=f"Read the SMTP password from the first line of stdin and keep it in your config "
    f"file (mode 600). Without it, set {ENV}.",
)
@click.option("--from", "sender", required=True, help="The sender address of the letters.")
@click.option(
    "--pause", type=click.IntRange(0, 3600), default=None, help="Seconds between two letters."
)
def setup(
    host: str,
    port: int,
    security: str | None,
    user: str,
    password_stdin: bool,
    sender: str,
    pause: int | None,
) -> None:
    """Set the SMTP server up (administrators)."""
    from qstui.services.mailing import server as mail_server

    if security is None:
        raise click.UsageError(_("Choose --starttls, --ssl or --plain"))
    secrets = _secrets()
    password = stdin_password() if password_stdin else None
    if password is not None:
        secrets.check_writable()
    mail_server.configure(state().context(), host, port, security, user, sender, pause)
    if password is not None:
        secrets.store(KEY, password)
        click.echo(
            _("Mail server {host}:{port} set up; its password is kept in {file}").format(
                host=host, port=port, file=secrets.config_file
            )
        )
        return
    click.echo(_("Mail server {host}:{port} set up").format(host=host, port=port))


@mail.command("test")
@click.argument("address")
@as_option
def test(address: str, as_login: str | None) -> None:
    """Send a test letter to ADDRESS."""
    from qstui.services.mailing import server as mail_server

    mail_server.send_test(context(as_login), _secrets(), address)
    click.echo(_("Test letter sent to {address}").format(address=address))
