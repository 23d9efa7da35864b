"""A real SMTP server on loopback for the mail tests (aiosmtpd): it keeps every letter
it accepted, refuses the recipients listed in ``refused`` with the server's own answer,
and asks for a login (``USER``/``PASSWORD``) when started with ``auth=True``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "robot@example.test"
PASSWORD = "Smtp-Секрет-9x"
REFUSAL = "550 5.1.1 Mailbox unavailable"


@dataclass
class Handler:
    letters: list[tuple[str, EmailMessage]] = field(default_factory=list)  # (rcpt, letter)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        letter = message_from_bytes(envelope.content, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            self.letters.append((rcpt, letter))  # type: ignore[arg-type]
        return "250 Message accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (
        data.login.decode() == USER and data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Handler


@contextmanager
def smtp_server(auth: bool = False) -> Iterator[SmtpServer]:
    handler = Handler()
    extra: dict[str, Any] = {}
    if auth:
        extra = {"authenticator": _authenticate, "auth_required": True, "auth_require_tls": False}
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **extra)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


def free_port() -> int:
    """A loopback port nobody listens on (for "the server is down" too)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
