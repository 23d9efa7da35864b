"""``qstui user …``: users, passwords, locks and rights (U1–U3).

Thin: parse the arguments, call ``qstui.services.access.users`` with the CLI's admin context,
print the result. Expected failures (``ServiceError``) propagate to the root group, which
prints them as one line on stderr with exit code 1.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.table import Table

from qstui.cli.common import table_console
from qstui.cli.state import state
from qstui.domain.clock import utcnow
from qstui.domain.enums import Role
from qstui.domain.rights import GROUP_LABELS, GROUPS, right_group
from qstui.domain.users import UserInfo, lock_text
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.access import users as users_service


def _group_label(name: str) -> str:
    return _(GROUP_LABELS[name])


def _catalogue_epilog() -> str:
    """The rights catalogue for ``qstui user --help`` (plain English, like all --help)."""
    width = max(len(code) for code in R.CATALOGUE) + 2
    titles = {
        "module": "Rights: modules (which parts of the application are open)",
        "visibility": "Rights: visibility of clients",
        "action": "Rights: actions",
    }
    parts = []
    for name, codes in GROUPS:
        lines = [f"  {code.ljust(width)}{R.CATALOGUE[code]}" for code in codes]
        parts.append("\b\n" + titles[name] + ":\n" + "\n".join(lines))
    roles = ", ".join(f"{role.value} ({len(R.PRESETS[role])} rights)" for role in Role)
    parts.append(f"A new user starts with the rights of the role: {roles}.")
    return "\n\n".join(parts)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(
        _("Password"),
        hide_input=True,
        confirmation_prompt=_("Repeat the password"),
    )


def _as_json(info: UserInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "login": info.login,
        "full_name": info.full_name,
        "role": info.role.value,
        "department": info.department,
        "is_locked": info.is_locked,
        "locked_until": info.locked_until.isoformat() if info.locked_until else None,
        "failed_logins": info.failed_logins,
        "last_login_at": info.last_login_at.isoformat() if info.last_login_at else None,
        "rights": list(info.rights),
    }


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _print_table(table: Table) -> None:
    table_console().print(table)


def _echo_rights(login: str, codes: list[str]) -> None:
    click.echo(
        _("Rights of {login} ({n}): {rights}").format(
            login=login, n=len(codes), rights=", ".join(codes) or "—"
        )
    )


@click.group(epilog=_catalogue_epilog())
def user() -> None:
    """Users, passwords and rights (requires the right users.admin)."""


@user.command("add")
@click.argument("login")
@click.option("--name", "full_name", required=True, help="Full name, e.g. 'Ivanova Anna'.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="The role whose preset rights the user starts with.",
)
@click.option("--department", metavar="NAME", help="Department (created if it is new).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.",
)
def add_user(
    login: str, full_name: str, role: str, department: str | None, password_stdin: bool
) -> None:
    """Create the user LOGIN with the rights of --role."""
    ctx = state().context()
    password = _read_password(password_stdin)
    user_id = users_service.create_user(ctx, login, full_name, Role(role), password, department)
    click.echo(
        _("User {login} created (id {id})").format(
            login=users_service.normalize_login(login), id=user_id
        )
    )


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def list_users(as_json: bool) -> None:
    """List every user."""
    infos = users_service.list_users(state().context())
    if as_json:
        _echo_json([_as_json(info) for info in infos])
        return
    if not infos:
        click.echo(_("No users yet: add one with “qstui user add”"))
        return
    table = Table(show_lines=False)
    table.add_column(_("Login"), no_wrap=True)
    table.add_column(_("Name"))
    table.add_column(_("Role"), no_wrap=True)
    table.add_column(_("Department"))
    table.add_column(_("Locked"), no_wrap=True)
    table.add_column(_("Rights"), justify="right", no_wrap=True)
    now = utcnow()
    for info in infos:
        table.add_row(
            info.login,
            info.full_name,
            info.role.value,
            info.department or "",
            lock_text(info, now),
            str(len(info.rights)),
        )
    _print_table(table)


@user.command("passwd")
@click.argument("login")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.",
)
def passwd(login: str, password_stdin: bool) -> None:
    """Set a new password for LOGIN.

    Also resets the count of failed logins.
    """
    ctx = state().context()
    users_service.get_user(ctx, login)  # an unknown login fails before the prompt
    users_service.set_password(ctx, login, _read_password(password_stdin))
    click.echo(_("Password of {login} changed").format(login=users_service.normalize_login(login)))


@user.command("lock")
@click.argument("login")
def lock(login: str) -> None:
    """Lock LOGIN until an administrator unlocks it."""
    users_service.lock_user(state().context(), login)
    click.echo(_("User {login} locked").format(login=users_service.normalize_login(login)))


@user.command("unlock")
@click.argument("login")
def unlock(login: str) -> None:
    """Unlock LOGIN.

    Also clears a temporary lock-out and the count of failed logins.
    """
    users_service.unlock_user(state().context(), login)
    click.echo(_("User {login} unlocked").format(login=users_service.normalize_login(login)))


@user.command("grant")
@click.argument("login")
@click.argument("rights", nargs=-1, required=True)
def grant(login: str, rights: tuple[str, ...]) -> None:
    """Give LOGIN the RIGHTS (codes: see qstui user --help)."""
    codes = users_service.grant(state().context(), login, *rights)
    _echo_rights(users_service.normalize_login(login), codes)


@user.command("revoke")
@click.argument("login")
@click.argument("rights", nargs=-1, required=True)
def revoke(login: str, rights: tuple[str, ...]) -> None:
    """Take the RIGHTS from LOGIN."""
    codes = users_service.revoke(state().context(), login, *rights)
    _echo_rights(users_service.normalize_login(login), codes)


@user.command("copy-rights")
@click.argument("from_login", metavar="FROM")
@click.argument("to_login", metavar="TO")
def copy_rights(from_login: str, to_login: str) -> None:
    """Give TO exactly the rights of FROM.

    Rights TO has and FROM lacks are removed.
    """
    codes = users_service.copy_rights(state().context(), from_login, to_login)
    _echo_rights(users_service.normalize_login(to_login), codes)


@user.command("rights")
@click.argument("login")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def rights(login: str, as_json: bool) -> None:
    """Show the rights of LOGIN by group."""
    codes = users_service.user_rights(state().context(), login)
    rows = [
        {
            "code": code,
            "description": _(R.CATALOGUE[code]) if code in R.CATALOGUE else "",
            "group": right_group(code),
        }
        for code in codes
    ]
    rows.sort(key=lambda row: [name for name, _codes in GROUPS].index(row["group"]))
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo(_("{login} has no rights").format(login=users_service.normalize_login(login)))
        return
    table = Table()
    table.add_column(_("Group"), no_wrap=True)
    table.add_column(_("Right"), no_wrap=True)
    table.add_column(_("Description"))
    previous = None
    for row in rows:
        label = _group_label(row["group"]) if row["group"] != previous else ""
        if previous is not None and row["group"] != previous:
            table.add_section()
        previous = row["group"]
        table.add_row(label, row["code"], row["description"])
    _print_table(table)
