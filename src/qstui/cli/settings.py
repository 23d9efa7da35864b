"""``qstui setting …``: application settings (lockout policy, our company details…).

Thin: parse the arguments, call ``qstui.services.access.settings``, print the result.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from qstui.cli.common import as_option, context, emit_json, json_option, table_console
from qstui.i18n import _
from qstui.services.access import settings as settings_service


def parse_value(text: str) -> Any:
    """VALUE as JSON when it parses (7, true, null, "7", [1, 2]), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def shown(value: Any) -> str:
    """A value as people read it: text as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _epilog() -> str:
    width = max(len(name) for name in settings_service.KNOWN) + 2
    lines = [
        f"  {name.ljust(width)}{spec.description} (default: {shown(spec.default) or 'empty'})"
        for name, spec in settings_service.KNOWN.items()
    ]
    return (
        "\b\nKnown settings:\n"
        + "\n".join(lines)
        + "\n\nOther names must start with 'custom.'. Changing settings requires the right "
        "'admin' (and 'users.admin' for auth.*)."
    )


@click.group("setting", context_settings={"help_option_names": ["-h", "--help"]}, epilog=_epilog())
def setting() -> None:
    """Application settings: lockout policy, our company details, custom values."""


@setting.command("list")
@json_option
@as_option
def list_settings(as_json: bool, as_login: str | None) -> None:
    """List every setting with its value (known settings also when not set)."""
    infos = settings_service.list_settings(context(as_login))
    if as_json:
        emit_json(infos)
        return
    table = Table()
    table.add_column(_("Setting"), no_wrap=True)
    table.add_column(_("Value"))
    table.add_column(_("Description"))
    for info in infos:
        value = shown(info.value)
        if info.is_default:
            value = _("{value} (default)").format(value=value) if value else _("(not set)")
        table.add_row(info.name, value, info.description)
    table_console().print(table)


@setting.command("get")
@click.argument("name")
@json_option
@as_option
def get_setting(name: str, as_json: bool, as_login: str | None) -> None:
    """Print the value of the setting NAME (its default when it is not set)."""
    ctx = context(as_login)
    name = settings_service.check_name(name)
    infos = {i.name: i for i in settings_service.list_settings(ctx)}
    info = infos.get(name)
    if info is None:  # a custom name that is not set
        info = settings_service.SettingInfo(name, None, None, True, "")
    if as_json:
        emit_json(info)
        return
    click.echo(shown(info.value) if info.value is not None else "")


@setting.command("set")
@click.argument("name")
@click.argument("value")
@as_option
def set_setting(name: str, value: str, as_login: str | None) -> None:
    """Set NAME to VALUE (JSON when it parses: 7, true, "text"; else the text as typed).

    VALUE null resets the setting to its default.
    """
    new = settings_service.set_setting(context(as_login), name, parse_value(value))
    click.echo(
        _("{name} = {value}").format(
            name=name.strip(), value=shown(new) if new is not None else "null"
        )
    )
