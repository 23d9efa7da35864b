"""Logging in with an own Firebird login (the per-user mode; ``firebird_logins``).

The database URL names the server and the path, no user (``firebird://host/path.fdb``):
the login and password typed on the login screen are the connection's, with the role
``QSTUI_USER``. The server checks the password (and refuses an INACTIVE login: a user
locked with ``qstui user lock``); the procedure ``QSTUI_ENTERED`` then records the
login of the connected user, and only of that user, and tells whether the account is
locked in qstui. The context returned works on the user's own connection.

The failed-attempt counter and the administrators' delays of ``auth`` do not apply:
the role cannot write them, and a refused connection has nothing to write with. Firebird
3 does not count failed logins either: the server's log (``firebird.log``) records them
for the administrator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from qstui.db.engine import Database
from qstui.db.grants import ENTERED_PROCEDURE
from qstui.db.models import AppUser
from qstui.db.urls import with_login
from qstui.domain.clock import utcnow
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services.access._attempts import user_context
from qstui.services.access.firebird_logins import login_name
from qstui.services.context import Context

_LOGIN_REFUSED = 335544472  # isc_login: "Your user name and password are not defined…"


def _refused(exc: DBAPIError) -> bool:
    return _LOGIN_REFUSED in getattr(exc.orig, "gds_codes", ())


def _plain(login: str, password: str) -> bool:
    try:
        login_name(login)
    except Exception:  # ValidationFailed: no Firebird login can have that name
        return False
    return password.isprintable()


def connect_as(db: Database, login: str, password: str) -> Database:
    """``db`` with the user's own login and the role (not yet connected)."""
    return Database(with_login(db.url, login, password), lock_timeout=db.lock_timeout)


def password_ok(db: Database, login: str, password: str) -> bool:
    """Whether the Firebird server accepts ``login`` with ``password`` (an INACTIVE
    login is refused) — for the owner's connection, whose user has no hash to check."""
    if not _plain(login, password):
        return False
    probe = connect_as(db, login, password)
    try:
        with probe.engine.connect():
            return True
    except DBAPIError as exc:
        if _refused(exc):
            return False
        raise
    finally:
        probe.dispose()


def login(db: Database, login_name_: str, password: str, now: datetime | None = None) -> Context:
    """The context of the user who connected with ``login`` and ``password``;
    LoginFailed when the server refuses them, AccountLocked when qstui's lock stands."""
    key = login_name_.strip().lower() if isinstance(login_name_, str) else ""
    password = password if isinstance(password, str) else ""
    if not _plain(key, password):
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
        if _refused(exc):
            raise LoginFailed() from None
        raise
    except BaseException:
        user_db.dispose()
        raise
