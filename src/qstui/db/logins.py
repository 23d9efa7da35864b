"""Users' own logins on the database server (Firebird): the per-user mode.

Switched on by the database's administrator with ``qstui db per-user-logins on`` (the
setting ``security.per_user_logins``, which ``qstui setting`` does not change: switching
also creates the role and its grants, ``db.grants``). While it is on, and the CLI works
with the owner's credentials, ``qstui user add/passwd/lock/unlock`` also create, change,
deactivate and activate the user's Firebird login (``services.access.users``), and the
account keeps no password hash (``db.grants.OWN_LOGIN``): the server checks it.

Firebird takes no bind parameter for a password in ``CREATE USER``: the password is
written into the statement as a string literal, its quotes doubled, and a password with
a control character is refused. A login becomes a Firebird user name only when it is a
plain identifier (a Latin letter, then Latin letters, digits or ``_``; at most 31).
The statements run in the transaction that writes the account: Firebird 3 applies them
at commit, so a failure undoes the login with the account.

On SQLite nothing here applies: ``per_user_mode`` is False, ``password_ok`` False.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.grants import OWN_LOGIN, ROLE, apply_grants
from qstui.db.models import AppUser, Setting
from qstui.db.urls import with_login
from qstui.domain.errors import ValidationFailed
from qstui.i18n import _

PER_USER_LOGINS = "security.per_user_logins"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
_RESERVED = frozenset({"sysdba", "public"})
_LOGIN_REFUSED = 335544472  # isc_login: "Your user name and password are not defined…"


def per_user_mode(s: Session) -> bool:
    """Whether users get their own Firebird logins (Firebird, and switched on)."""
    if s.get_bind().dialect.name != "firebird.firebird":
        return False
    return bool(s.scalar(select(Setting.val).where(Setting.name == PER_USER_LOGINS)))


def require_server(db: Database) -> None:
    """ValidationFailed unless ``db`` is on a Firebird server."""
    if db.backend != "firebird":
        raise ValidationFailed(
            {"database": _("Per-user logins need a Firebird server; this database is SQLite")}
        )


def switch(db: Database, on: bool) -> list[str]:
    """Switch the per-user mode (on: the role and grants are brought up to date first).
    Returns the logins of the accounts that still keep a password hash, which the role
    can read: each needs a new password (``qstui user passwd``) to get its own login."""
    require_server(db)
    if on:
        apply_grants(db)
    with db.transaction() as s:
        row = s.scalar(select(Setting).where(Setting.name == PER_USER_LOGINS))
        if row is None:
            s.add(Setting(name=PER_USER_LOGINS, val=bool(on)))
        else:
            row.val = bool(on)
        hashed = select(AppUser.login).where(AppUser.pass_hash != OWN_LOGIN)
        return list(s.scalars(hashed.order_by(AppUser.login)))


def login_name(login: str) -> str:
    """The Firebird user name of ``login`` (upper case, as Firebird keeps it)."""
    if not _NAME.fullmatch(login) or login in _RESERVED:
        raise ValidationFailed(
            {
                "login": _(
                    "With per-user Firebird logins a login is a Latin letter followed by "
                    "at most 30 Latin letters, digits or underscores"
                )
            }
        )
    return login.upper()


def password_literal(password: str) -> str:
    """``password`` as an SQL string literal; ValidationFailed for control characters."""
    if any(not ch.isprintable() for ch in password):
        raise ValidationFailed(
            {"password": _("A password cannot hold control characters (tabs, line breaks)")}
        )
    return "'" + password.replace("'", "''") + "'"


def _exists(s: Session, name: str) -> bool:
    found = s.scalar(text("SELECT COUNT(*) FROM sec$users WHERE sec$user_name = :n"), {"n": name})
    return bool(found)


def create_login(s: Session, login: str, password: str) -> str:
    """Create the Firebird login of a new user and give it the role; the user's
    ``pass_hash`` is ``OWN_LOGIN``. A Firebird login of that name must not exist
    (it may belong to someone else: it is never taken over)."""
    name = login_name(login)
    literal = password_literal(password)
    if _exists(s, name):
        raise ValidationFailed(
            {"login": _("The Firebird server has a login {name} already").format(name=name)}
        )
    _ddl(s, f"CREATE USER {name} PASSWORD {literal} USING PLUGIN Srp")
    _ddl(s, f"GRANT {ROLE} TO {name}")
    return OWN_LOGIN


def set_password(s: Session, login: str, password: str, active: bool) -> str:
    """A new password of the user's Firebird login (created if it has none yet, so
    ``qstui user passwd`` moves an account made before the mode was on)."""
    name = login_name(login)
    literal = password_literal(password)
    state = "ACTIVE" if active else "INACTIVE"
    if _exists(s, name):
        _ddl(s, f"ALTER USER {name} SET PASSWORD {literal} {state} USING PLUGIN Srp")
    else:
        _ddl(s, f"CREATE USER {name} PASSWORD {literal} {state} USING PLUGIN Srp")
    _ddl(s, f"GRANT {ROLE} TO {name}")
    return OWN_LOGIN


def set_active(s: Session, login: str, active: bool) -> None:
    """Activate or deactivate the user's Firebird login (if there is one)."""
    if not _NAME.fullmatch(login) or login in _RESERVED:
        return
    name = login.upper()
    if _exists(s, name):
        _ddl(s, f"ALTER USER {name} {'ACTIVE' if active else 'INACTIVE'} USING PLUGIN Srp")


def _ddl(s: Session, statement: str) -> Any:
    # exec_driver_sql: the text goes as is (a ":" in a password is no bind parameter)
    return s.connection().exec_driver_sql(statement)


def connect_as(db: Database, login: str, password: str) -> Database:
    """``db`` with the user's own login and the role (not yet connected)."""
    return Database(
        with_login(db.url, login, password),
        lock_timeout=db.lock_timeout,
        server_timeout=db.server_timeout,
    )


def is_login_refused(exc: DBAPIError) -> bool:
    """The server refused the login and password (or the login is INACTIVE)."""
    return _LOGIN_REFUSED in getattr(exc.orig, "gds_codes", ())


def plain(login: str, password: str) -> bool:
    """Whether ``login`` can be a Firebird user name and ``password`` a literal."""
    return _NAME.fullmatch(login) is not None and login not in _RESERVED and password.isprintable()


def password_ok(db: Database, login: str, password: str) -> bool:
    """Whether the Firebird server accepts ``login`` with ``password`` (an INACTIVE
    login is refused) — for the owner's connection, whose user has no hash to check.
    Always False on SQLite."""
    if db.backend != "firebird" or not plain(login, password):
        return False
    probe = connect_as(db, login, password)
    try:
        with probe.engine.connect():
            return True
    except DBAPIError as exc:
        if is_login_refused(exc):
            return False
        raise
    finally:
        probe.dispose()
