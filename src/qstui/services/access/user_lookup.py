"""A user named by login (``--manager LOGIN``, ``--user LOGIN``): the one lookup, with
the one rule of who may name whom.

- **To filter or to read** (a list of a manager's clients, deals or events, a
  manager's calendar, the audit of a user): any existing user. Logins and names are
  no secret — they show on every list — and the service that reads applies its own
  rights and visibility (someone else's calendar is refused there, a list is narrowed
  to the visible rows).
- **To assign work** (``assigning=True``: the responsible manager of a client or an
  interaction): only the acting user themselves, or a user whose clients they see
  (``visibility.can_see_user``) and whose account is not locked — as the client
  card's manager chooser offers.

An unknown login (also one too long for the column, which Firebird would refuse as a
parameter) is ``NotFound``; a user one may not assign work to is ``ValidationFailed``
on the field ``manager``.
"""

from __future__ import annotations

from sqlalchemy import select

from qstui.db.models import AppUser
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.visibility import can_see_user

LOGIN_MAX = 60  # users.login is VARCHAR(60)


def normalize_login(login: str | None) -> str:
    """Logins are stored lower-case, without spaces around."""
    return (login or "").strip().lower()


def user_id_by_login(ctx: Context, login: str | None, *, assigning: bool = False) -> int:
    """The id of the user ``login`` (case and spaces around ignored), by the rule above."""
    key = normalize_login(login)
    found = None
    if key and len(key) <= LOGIN_MAX and "\x00" not in key:
        with ctx.db.reader() as s:
            found = s.execute(
                select(AppUser.id, AppUser.is_locked).where(AppUser.login == key)
            ).first()
    if found is None:
        raise NotFound(_("User"), login)
    user_id, locked = found
    if assigning and user_id != ctx.user_id:
        if not can_see_user(ctx, user_id):
            raise ValidationFailed(
                {"manager": _("You cannot give work to the user {login}").format(login=key)}
            )
        if locked:
            raise ValidationFailed(
                {"manager": _("The user {login} is locked: choose another one").format(login=key)}
            )
    return int(user_id)
