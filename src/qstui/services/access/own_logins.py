"""Switching users' own database logins on and off (the per-user mode, ``db.logins``):
the administrator's right first, then the switch."""

from __future__ import annotations

from qstui.db import logins
from qstui.services import rights as R
from qstui.services.context import Context


def switch(ctx: Context, on: bool) -> list[str]:
    """Switch the mode; returns the logins of the accounts that still keep a password
    hash (``db.logins.switch``). Needs ``users.admin``."""
    ctx.require(R.USERS_ADMIN)
    return logins.switch(ctx.db, on)
