"""``qstui audit …``: Audit log: who changed what and when (U4).

Thin: parse the options, call ``qstui.services.access.audit_log``, print a table (one line per
changed field: ``field: old → new``) or JSON.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
from rich.table import Table

from qstui.cli.common import as_option, context, emit_json, json_option, table_console
from qstui.domain.audit import AuditRecord
from qstui.domain.calendar import to_local
from qstui.domain.enums import AuditAction
from qstui.domain.formatting import parse_day
from qstui.i18n import N_, _
from qstui.services.access import audit_log

VALUE_WIDTH = 60
ACTION_LABELS = {
    AuditAction.CREATE: N_("created"),
    AuditAction.UPDATE: N_("changed"),
    AuditAction.DELETE: N_("deleted"),
    AuditAction.LOGIN_FAILED: N_("login failed"),
    AuditAction.LOGIN_LOCKED: N_("locked by failed logins"),
}


def _object(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, int | None] | None:
    """``company:42`` → ("company", 42); ``company`` → ("company", None)."""
    if value is None:
        return None
    kind, sep, ident = value.strip().partition(":")
    kind = kind.strip().lower()
    if not kind or not all(ch.isalnum() or ch in "_-." for ch in kind):
        raise click.BadParameter("expected KIND or KIND:ID, e.g. company:42")
    if not sep:
        return kind, None
    try:
        number = int(ident.strip())
    except ValueError:
        raise click.BadParameter(
            "the ID after ':' must be a whole number, e.g. company:42"
        ) from None
    if number < 0:
        raise click.BadParameter("the ID after ':' must not be negative")
    return kind, number


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


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value) or "—"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def change_lines(record: AuditRecord) -> list[str]:
    """One line per changed field: ``field: old → new`` (just the value for a deletion,
    a creation or another event such as a failed login)."""
    lines = []
    for name, pair in record.changes.items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        if record.action is AuditAction.UPDATE:
            lines.append(f"{name}: {_value(old)} → {_value(new)}")
        elif record.action is AuditAction.DELETE:
            lines.append(f"{name}: {_value(old)}")
        else:
            lines.append(f"{name}: {_value(new)}")
    return lines


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
