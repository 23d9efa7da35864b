"""Options and output shared by the CLI commands over the services: ``--as LOGIN``
(act with that user's rights once they proved who they are, ``qstui.cli.identity``;
default: the admin context) with ``--password-stdin``, ``--json`` and record ids."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import click
from rich.console import Console

from qstui.cli.state import CliState, state
from qstui.db.types import MAX_ID
from qstui.domain.errors import NotFound
from qstui.i18n import N_, _
from qstui.services.context import Context

F = TypeVar("F", bound=Callable[..., Any])

_as = click.option(
    "--as",
    "as_login",
    metavar="LOGIN",
    help="Act with this user's rights and visibility (default: administrator); needs "
    "their password (prompted, or --password-stdin) or a token saved by 'qstui login'.",
)


def _remember_password_stdin(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    found = ctx.find_object(CliState)
    if found is not None and value:
        found.password_stdin = True


_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    expose_value=False,
    callback=_remember_password_stdin,
    help="With --as: read that user's password from the first line of stdin.",
)


def as_option(command: F) -> F:
    """``--as LOGIN`` and ``--password-stdin``; the command gets ``as_login``."""
    return _as(_password_stdin(command))


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")


class RecordId(click.ParamType):
    """The id of a record (``RecordId(N_("Company"))``): a whole number. One outside
    1…MAX_ID names no record, so it is reported as not found — the same line an unknown
    id gets — instead of reaching the database driver, which cannot bind it."""

    name = "id"

    def __init__(self, what: str) -> None:
        self.what = what  # a msgid marked with N_, translated when shown

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(_("{value} is not a number").format(value=value), param, ctx)
        if not 1 <= number <= MAX_ID:
            raise NotFound(_(self.what), value)
        return number


COMPANY_ID = RecordId(N_("Company"))
CONTACT_ID = RecordId(N_("Contact person"))
DEAL_ID = RecordId(N_("Deal"))
EVENT_ID = RecordId(N_("Interaction"))

PIPE_WIDTH = 200  # tables written to a file or a pipe are not cut to 80 columns


def table_console() -> Console:
    """The console the commands print their tables on: plain text (no markup, no
    highlighting), and as wide as a table needs when the output is not a terminal."""
    console = Console(soft_wrap=False, highlight=False, markup=False)
    if not console.is_terminal:
        console.width = PIPE_WIDTH
    return console


def stdin_password() -> str:
    """A password from the first line of stdin: never from the command line, which
    ``ps`` shows to every user."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException(_("No password on the first line of stdin"))
    return password


def context(as_login: str | None) -> Context:
    return state().context(as_login)


def plain(value: Any) -> Any:
    """JSON-ready form of dataclasses, enums, Decimals and dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def emit_json(value: Any) -> None:
    click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))
