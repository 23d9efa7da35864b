"""The SMTP server the admin configured: its settings (``mail.*`` in the settings table,
never the password — that stays in ``mail.secrets``) and a test letter.

Rights: ``configure`` and ``send_test`` need the administration right (``R.ADMIN``)."""

from __future__ import annotations

import smtplib
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from qstui.db.engine import Database
from qstui.domain.clock import utcnow
from qstui.i18n import _
from qstui.mail.secrets import KEY
from qstui.mail.smtp import MailError, MailServer, answer, connected
from qstui.onec.secrets import Secrets
from qstui.services import rights as R
from qstui.services.access import settings as S
from qstui.services.context import Context
from qstui.services.persist import writing

NAMES = (S.MAIL_HOST, S.MAIL_PORT, S.MAIL_SECURITY, S.MAIL_USER, S.MAIL_FROM, S.MAIL_PAUSE)


def server_settings(db_or_ctx: Database | Context) -> MailServer:
    values = S.get_settings(db_or_ctx, list(NAMES))
    return MailServer(
        host=values[S.MAIL_HOST],
        port=values[S.MAIL_PORT],
        security=values[S.MAIL_SECURITY],
        user=values[S.MAIL_USER],
        sender=values[S.MAIL_FROM],
        pause_seconds=values[S.MAIL_PAUSE],
    )


def configure(
    ctx: Context,
    host: str,
    port: int,
    security: str,
    user: str,
    sender: str,
    pause_seconds: int | None = None,
) -> MailServer:
    """Store the SMTP settings at once (all valid, or none written); audited."""
    ctx.require(R.ADMIN)
    values = {
        S.MAIL_HOST: host,
        S.MAIL_PORT: port,
        S.MAIL_SECURITY: security,
        S.MAIL_USER: user,
        S.MAIL_FROM: sender,
    }
    if pause_seconds is not None:
        values[S.MAIL_PAUSE] = pause_seconds
    checked = {name: S.check_value(name, value) for name, value in values.items()}
    if not checked[S.MAIL_HOST]:
        raise MailError(_("Give the mail server's host"))
    if not checked[S.MAIL_FROM]:
        raise MailError(_("Give the sender address (--from)"))
    with writing(ctx) as s:
        for name, value in checked.items():
            S.store(s, ctx, name, value)
    return server_settings(ctx)


def send_test(ctx: Context, secrets: Secrets, address: str) -> None:
    """Send a short test letter to ``address``; ``MailError`` says what went wrong."""
    ctx.require(R.ADMIN)
    address = S.check_value(S.MAIL_FROM, address)  # an e-mail address, checked the same way
    server = server_settings(ctx)
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = address
    message["Subject"] = _("qstui: test letter")
    message["Date"] = format_datetime(utcnow().replace(tzinfo=UTC))  # qstui's clock
    message["Message-ID"] = make_msgid()
    message.set_content(_("The mail server of qstui works: this letter reached you."))
    with connected(server, secrets.password(KEY)) as smtp:
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients.get(address)
            reason = f"{refused[0]} {refused[1].decode('utf-8', 'replace')}" if refused else ""
            raise MailError(
                _("The mail server refused the address {address}: {answer}").format(
                    address=address, answer=reason
                )
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(
                _("The mail server refused the letter: {answer}").format(answer=answer(exc))
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                _("The mail server dropped the connection: {reason}").format(reason=exc)
            ) from None
