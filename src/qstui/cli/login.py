"""``qstui login`` and ``qstui logout``: a personal token instead of typing the password
for every command with ``--as LOGIN`` (``qstui.cli.identity``).

``login`` checks the password once (a failed try counts like any failed login), has the
database make a token and saves its secret in a private file of the OS user
(``qstui.cli.token_file``); a token saved before for the same database and login is
revoked. ``logout`` revokes the token and deletes the file.
"""

from __future__ import annotations

import click

from qstui.cli import identity, token_file
from qstui.cli.state import state
from qstui.domain.formatting import moment
from qstui.i18n import _
from qstui.services.access import tokens
from qstui.services.access.user_lookup import normalize_login

_as = click.option(
    "--as",
    "as_login",
    metavar="LOGIN",
    help="The user (default: the root option --user, else your OS login name).",
)


def _login_name(as_login: str | None) -> str:
    name = normalize_login(as_login or state().login or identity.os_user())
    if not name:
        raise click.UsageError(_("--as needs a login"))
    return name


@click.command("login")
@_as
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.",
)
def login(as_login: str | None, password_stdin: bool) -> None:
    """Check the password once and save a personal token for this database.

    Commands with --as LOGIN then need no password until the token expires (the
    setting auth.token_days) or is revoked (qstui logout, qstui user tokens revoke).
    """
    st = state()
    name = _login_name(as_login)
    db = st.database()
    password = identity.ask_password(name, password_stdin)
    ctx = identity.password_context(db, name, password)
    issued = tokens.issue(ctx)
    path = token_file.token_path(st.settings.state_dir, db.url, name)
    previous = token_file.read(path) if path.exists() else None
    token_file.save(st.settings.state_dir, db.url, issued)
    if previous is not None:
        tokens.revoke_presented(db, previous.secret, ctx.os_user, ctx.os_host)
    click.echo(
        _("Logged in as {login} until {when}; the token is kept in {file}").format(
            login=name, when=moment(issued.expires_at), file=path
        )
    )


@click.command("logout")
@_as
def logout(as_login: str | None) -> None:
    """Revoke the personal token of this database and delete its file."""
    st = state()
    name = _login_name(as_login)
    db = st.database()
    path = token_file.token_path(st.settings.state_dir, db.url, name)
    if not path.exists():
        click.echo(_("{login} is not logged in to this database").format(login=name))
        return
    saved = token_file.read(path)
    if saved is not None:
        tokens.revoke_presented(db, saved.secret, identity.os_user(), identity.os_host())
    token_file.delete(path)
    click.echo(
        _("{login} logged out: the token is revoked and its file deleted").format(login=name)
    )
