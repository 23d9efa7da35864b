"""Logging in with an own Firebird login (the per-user mode; ``db.logins``).

The database URL names the server and the path, no user (``firebird://host/path.fdb``):
the login and password typed on the login screen are the connection's, with the role
``QSTUI_USER``. The server checks the password (and refuses an INACTIVE login: a user
locked with ``qstui user lock``); the procedure ``QSTUI_ENTERED`` then records the
login of the connected user, and only of that user, and tells whether the account is
locked in qstui. The context returned works on the user's own connection.

The failed-attempt counter and the administrators' delays of ``auth`` do not apply:
the role cannot write them, and a refused connection has nothing to write with. The
server does not count failed logins either: its log records them for the administrator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from qstui.db.engine import Database
from qstui.db.grants import ENTERED_PROCEDURE
from qstui.db.logins import connect_as, is_login_refused, plain
from qstui.db.models import AppUser
from qstui.domain.clock import utcnow
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services.access._attempts import user_context
from qstui.services.context import Context


def login(db: Database, login_name: str, password: str, now: datetime | None = None) -> Context:
    """The context of the user who connected with ``login`` and ``password``;
    LoginFailed when the server refuses them, AccountLocked when qstui's lock stands."""
    key = login_name.strip().lower() if isinstance(login_name, str) else ""
    password = password if isinstance(password, str) else ""
    if not plain(key, password):
        raise LoginFailed()
    user_db = connect_as(db, key, password)
    try:
        with user_db.transaction() as s:
            user_id = s.execute(
                text(f"EXECUTE PROCEDURE {ENTERED_PROCEDURE}(:logged_at)"),
                {"logged_at": now or utcnow()},
            ).scalar()
            if user_id is None:
                if s.scalar(select(AppUser.is_locked).where(AppUser.login == key)):
                    raise AccountLocked(None)
                raise LoginFailed()  # a Firebird login without a qstui account
            return user_context(s, user_db, user_id)
    except DBAPIError as exc:
        user_db.dispose()
        if is_login_refused(exc):
            raise LoginFailed() from None
        raise
    except BaseException:
        user_db.dispose()
        raise
