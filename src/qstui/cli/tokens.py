"""``qstui user tokens …``: the personal tokens made by ``qstui login``.

An administrator of users sees and revokes anyone's; with ``--as LOGIN`` a user sees
and revokes their own only (``qstui.services.access.tokens``).
"""

from __future__ import annotations

import click
from rich.table import Table

from qstui.cli.common import RecordId, as_option, context, emit_json, json_option, table_console
from qstui.domain.formatting import moment
from qstui.domain.tokens import TokenInfo
from qstui.i18n import N_, _
from qstui.services.access import tokens as tokens_service

TOKEN_ID = RecordId(N_("Token"))


@click.group("tokens")
def tokens() -> None:
    """Personal tokens of 'qstui login': list and revoke them."""


def _where(info: TokenInfo) -> str:
    return "@".join(part for part in (info.os_user, info.os_host) if part)


@tokens.command("list")
@click.argument("login", required=False)
@json_option
@as_option
def list_tokens(login: str | None, as_json: bool, as_login: str | None) -> None:
    """List the tokens of LOGIN (default: every user's, or your own with --as)."""
    infos = tokens_service.list_tokens(context(as_login), login)
    if as_json:
        emit_json(infos)
        return
    if not infos:
        click.echo(_("No tokens"))
        return
    table = Table()
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column(_("Login"), no_wrap=True)
    table.add_column(_("OS user@host"), no_wrap=True)
    table.add_column(_("Made"), no_wrap=True)
    table.add_column(_("Last used"), no_wrap=True)
    table.add_column(_("Expires"), no_wrap=True)
    for info in infos:
        expires = moment(info.expires_at)
        table.add_row(
            str(info.id),
            info.login,
            _where(info),
            moment(info.created_at),
            moment(info.last_used_at),
            _("{when} (expired)").format(when=expires) if info.expired else expires,
        )
    table_console().print(table)


@tokens.command("revoke")
@click.argument("login")
@click.argument("token_id", metavar="[ID]", required=False, type=TOKEN_ID)
@click.option("--all", "all_tokens", is_flag=True, help="Every token of LOGIN.")
@as_option
def revoke(login: str, token_id: int | None, all_tokens: bool, as_login: str | None) -> None:
    """Revoke the token ID of LOGIN, or all of them with --all."""
    if (token_id is None) != all_tokens:
        raise click.UsageError(_("Give the ID of one token, or --all"))
    count = tokens_service.revoke(context(as_login), login, token_id)
    click.echo(_("Tokens revoked: {n}").format(n=count))
