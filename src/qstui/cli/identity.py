"""Who the CLI acts as, and the proof of it (ARCHITECTURE rule 13).

- Without ``--as``: the administrator context — every right, acting as no user. It is
  for whoever holds the database's own credentials (the URL with its password), who
  can administer the database anyway.
- ``--as LOGIN``: that user, once they proved who they are, by
  1. the password on the first line of stdin (``--password-stdin``), or
  2. the personal token ``qstui login`` saved for this database and login, or
  3. the password typed at a hidden prompt, when stdin is a terminal.
  A wrong password counts as a failed login (``services.access.auth.login``); a locked
  user is refused in every way, a token of theirs too.

Every context the CLI acts with carries the OS user and host it runs on: the audit log
records them beside the application user.
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path

import click

from qstui.cli import token_file
from qstui.db.engine import Database
from qstui.domain.tokens import TokenRefused
from qstui.i18n import _
from qstui.services.access import tokens
from qstui.services.access.user_lookup import normalize_login
from qstui.services.context import Context

OS_USER_MAX = 100  # audit_log.os_user, user_tokens.os_user
OS_HOST_MAX = 255


def os_user() -> str | None:
    """The OS account running qstui."""
    try:
        name = getpass.getuser()
    except Exception:  # no login name in the environment nor in the password database
        name = str(os.getuid()) if hasattr(os, "getuid") else ""
    return name[:OS_USER_MAX] or None


def os_host() -> str | None:
    return socket.gethostname()[:OS_HOST_MAX] or None


def with_origin(ctx: Context) -> Context:
    """``ctx`` marked with the OS user and host the CLI runs on."""
    return replace(ctx, os_user=os_user(), os_host=os_host())


def system_context(db: Database) -> Context:
    return with_origin(Context.system(db))


def password_context(db: Database, login: str, password: str) -> Context:
    """The context of ``login`` proved by ``password`` (``services.access.auth.login``:
    a wrong one counts as a failed login)."""
    from qstui.services.access import auth  # its argon2 set-up costs every other command

    return with_origin(auth.login(db, login, password))


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask_password(login: str, from_stdin: bool) -> str:
    """``login``'s password: the first line of stdin, or typed at a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException(_("No password on the first line of stdin"))
        return password
    if not _interactive():
        raise click.ClickException(
            _("There is no terminal to ask the password of {login}: use --password-stdin").format(
                login=login
            )
        )
    return str(
        click.prompt(_("Password of {login}").format(login=login), hide_input=True, err=True)
    )


def proven_context(db: Database, state_dir: Path, login: str, password_stdin: bool) -> Context:
    """The context of ``login``, proved as the module says."""
    login = normalize_login(login)
    if password_stdin:
        return password_context(db, login, ask_password(login, True))
    path = token_file.token_path(state_dir, db.url, login)
    if path.exists():
        if token_file.is_exposed(path):
            raise click.ClickException(
                _(
                    "The token file {file} can be read by other users of this computer, so it "
                    "is not used: run “qstui logout --as {login}” to revoke it, then log in "
                    "again"
                ).format(file=path, login=login)
            )
        saved = token_file.read(path)
        try:
            if saved is None:
                raise TokenRefused(login)
            return with_origin(tokens.context_by_token(db, login, saved.secret))
        except TokenRefused as exc:
            token_file.delete(path)  # the database will never take it again
            if not _interactive():
                raise click.ClickException(_again(str(exc), login)) from None
            click.echo(str(exc), err=True)
    if _interactive():
        return password_context(db, login, ask_password(login, False))
    raise click.ClickException(
        _(
            "Acting as {login} needs their password: log in once with “qstui login --as "
            "{login}”, or give the password with --password-stdin"
        ).format(login=login)
    )


def _again(reason: str, login: str) -> str:
    return _(
        "{reason}: log in again with “qstui login --as {login}”, or give the password "
        "with --password-stdin"
    ).format(reason=reason, login=login)
