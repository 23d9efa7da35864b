"""``qstui audit …``: Audit log: who changed what and when (U4).

Thin: parse the options, call ``qstui.services.access.audit_log``, print a table (one line per
changed field: ``field: old → new``) or JSON.
"""

from __future__ import annotations

from datetime import date

import click
from rich.table import Table

from qstui.cli.common import as_option, context, emit_json, json_option, table_console
from qstui.domain.audit import ACTION_LABELS, change_lines, parse_target
from qstui.domain.calendar import to_local
from qstui.domain.formatting import parse_day
from qstui.i18n import _
from qstui.services.access import audit_log


def _object(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, int | None] | None:
    """``company:42`` → ("company", 42); ``company`` → ("company", None)."""
    if value is None:
        return None
    try:
        return parse_target(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter("expected a date as DD.MM.YYYY or YYYY-MM-DD") from None


@click.group("audit", context_settings={"help_option_names": ["-h", "--help"]})
def audit() -> None:
    """Audit log: who changed what and when."""


@audit.command("list")
@click.option(
    "--object",
    "target",
    metavar="KIND[:ID]",
    callback=_object,
    help="Only this object (company:42) or kind of object (deal).",
)
@click.option(
    "--user", "user_login", metavar="LOGIN", help="Only what LOGIN did ('system': the admin CLI)."
)
@click.option(
    "--since",
    metavar="DATE",
    callback=_since,
    help="Only from this day on: DD.MM.YYYY or YYYY-MM-DD.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, audit_log.MAX_LIMIT),
    default=200,
    show_default=True,
    help="At most this many records, newest first.",
)
@json_option
@as_option
def list_records(
    target: tuple[str, int | None] | None,
    user_login: str | None,
    since: date | None,
    limit: int,
    as_json: bool,
    as_login: str | None,
) -> None:
    """Show the audit log, newest first (requires users.admin or admin)."""
    kind, ident = target if target else (None, None)
    records = audit_log.list_audit(
        context(as_login),
        object_kind=kind,
        object_id=ident,
        user_login=user_login,
        since=since,
        limit=limit,
    )
    if as_json:
        emit_json(records)
        return
    if not records:
        click.echo(_("No audit records"))
        return
    table = Table(show_lines=True)
    table.add_column(_("When"), no_wrap=True)
    table.add_column(_("User"), no_wrap=True)
    table.add_column(_("OS user@host"), no_wrap=True)
    table.add_column(_("Action"), no_wrap=True)
    table.add_column(_("Object"), no_wrap=True)
    table.add_column(_("Changes"))
    for record in records:
        table.add_row(
            to_local(record.logged_at).strftime("%d.%m.%Y %H:%M:%S"),
            record.user_login,
            "@".join(part for part in (record.os_user, record.os_host) if part),
            _(ACTION_LABELS.get(record.action, record.action)),
            f"{record.object_kind}:{record.object_id}",
            "\n".join(change_lines(record)),
        )
    table_console().print(table)
