"""Credentials handed from ``qstui serve`` to the session's ``qstui`` process.

The server checked the login and password on its own login page; the session's process
logs in with them too (the same ``auth.login`` as its login screen), so it trusts
nothing it is given: whoever starts ``qstui`` by hand with such a pipe still needs the
password. They travel through a pipe whose reading end the process inherits — its
number in ``QSTUI_LOGIN_FD`` — never on a command line (``ps`` shows those to every
user) nor in the environment (which lasts as long as the process). The process reads
the pipe once, at start, and closes it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass, field

ENV = "QSTUI_LOGIN_FD"
MAX_BYTES = 16384  # a login and a password of the web form's largest, escaped in JSON

log = logging.getLogger("qstui.serve")


@dataclass(frozen=True)
class Credentials:
    login: str
    password: str = field(repr=False)


def pipe_with(credentials: Credentials) -> int:
    """A pipe holding ``credentials``; returns its reading end (the caller passes it to
    the child and closes it). The writing end is closed: the child reads to its end."""
    payload = json.dumps({"login": credentials.login, "password": credentials.password})
    data = payload.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValueError("credentials too long to hand over")
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)  # far below a pipe's buffer: never blocks
    finally:
        os.close(write_end)
    return read_end


def receive(environ: dict[str, str] | os._Environ[str] | None = None) -> Credentials | None:
    """The credentials handed to this process, or None (none given, or unreadable: the
    login screen then asks as usual). The variable is removed and the pipe closed."""
    env = os.environ if environ is None else environ
    raw = env.pop(ENV, None)
    if raw is None:
        return None
    try:
        fd = int(raw)
    except ValueError:
        log.warning("%s is not a file descriptor", ENV)
        return None
    try:
        data = b""
        while len(data) <= MAX_BYTES and (chunk := os.read(fd, MAX_BYTES + 1)):
            data += chunk
    except OSError as exc:
        log.warning("cannot read the credentials handed over: %s", exc.strerror)
        return None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        values = json.loads(data.decode("utf-8")) if len(data) <= MAX_BYTES else None
        login, password = values["login"], values["password"]  # type: ignore[index]
    except (ValueError, TypeError, KeyError):
        log.warning("the credentials handed over are not readable")
        return None
    if not isinstance(login, str) or not isinstance(password, str):
        return None
    return Credentials(login, password)
