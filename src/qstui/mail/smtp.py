"""Talking to the SMTP server: stdlib ``smtplib`` and ``email.message`` — enough for
plain-text letters with attachments, kept with Python itself, no dependency to follow.

Every failure becomes a ``MailError``: one translated line with the server's own answer
and never the password (``smtplib`` does not echo it; we never format it)."""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from qstui.domain.errors import ServiceError
from qstui.i18n import _

TIMEOUT = 30.0


class MailError(ServiceError):
    """The SMTP server could not be used at all (down, refused the login, TLS failed)."""


@dataclass(frozen=True)
class MailServer:
    """The admin's SMTP settings (``mail.*``); the password comes from ``mail.secrets``."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    sender: str
    pause_seconds: int


def answer(error: smtplib.SMTPResponseException) -> str:
    """The server's own words: code and message."""
    text = error.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{error.smtp_code} {text}".strip()


@contextmanager
def connected(server: MailServer, password: str | None) -> Iterator[smtplib.SMTP]:
    """An SMTP session logged in as the admin configured; ``MailError`` when it cannot
    be opened."""
    if not server.host:
        raise MailError(_("The mail server is not set up: run “qstui mail setup”"))
    where = f"{server.host}:{server.port}"
    try:
        if server.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            _("The mail server {where} does not answer: {reason}").format(
                where=where, reason=_reason(exc)
            )
        ) from None
    try:
        try:
            if server.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                if password is None:
                    raise MailError(
                        _(
                            "No SMTP password: give it with “qstui mail setup --password-stdin”"
                            " or in QSTUI_SMTP_PASSWORD"
                        )
                    )
                _login(smtp, server.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(
                _("The mail server {where} refused the login of {user}: {answer}").format(
                    where=where, user=server.user, answer=answer(exc)
                )
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(
                _("The mail server {where} refused: {answer}").format(
                    where=where, answer=answer(exc)
                )
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                _("The mail server {where} does not answer: {reason}").format(
                    where=where, reason=_reason(exc)
                )
            ) from None
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """``smtp.login``, but a non-ASCII user or password (which ``smtplib`` cannot encode)
    goes as AUTH PLAIN in UTF-8 (RFC 4616)."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, response = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(exc, socket.timeout | TimeoutError):
        return _("no answer in time")
    if isinstance(exc, socket.gaierror):
        return _("unknown host")
    if isinstance(exc, ssl.SSLError):
        return _("TLS failed: {reason}").format(reason=exc.reason or exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("the connection was closed")
    return str(exc) or type(exc).__name__
