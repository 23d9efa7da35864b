"""Logging in (U1): argon2 password check, lockout after repeated failures.

The policy lives in the application settings (``services.settings``), shared by every
client of a database: ``auth.max_attempts`` failed logins in a row (default 5) lock the
account for ``auth.lock_minutes`` (default 15). The attempt that reaches the limit
already answers "locked until …"; when the time has passed, the user has the full
number of attempts again. A successful login resets the count.

- An unknown login fails exactly like a wrong password (same message; a real argon2
  verification is made against a dummy hash so the timing is the same).
- An account locked by an administrator (``users.is_locked``) → ``AccountLocked(None)``;
  a temporarily locked one → ``AccountLocked(until)``; the password is not even checked.
- The failed-attempt count is committed although the call raises.
- A login is not an edit of the user's card: the counters are written with a plain
  UPDATE that leaves ``version`` / ``updated_at`` / ``updated_by`` alone, so an admin
  editing that user meanwhile gets no false "changed by someone else". The count is
  incremented in the database (``failed_logins + 1``), so concurrent failures all count;
  a write conflict between two logins of the same user is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.errors import is_conflict
from qstui.db.models import AppUser, UserRight
from qstui.domain.clock import utcnow
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services.access import settings
from qstui.services.access.passwords import hash_password, needs_rehash, verify_password
from qstui.services.access.user_lookup import LOGIN_MAX
from qstui.services.context import Context

MAX_ATTEMPTS = settings.AUTH_MAX_ATTEMPTS
LOCK_MINUTES = settings.AUTH_LOCK_MINUTES
_RETRIES = 3
# Verifying against a real hash for unknown logins keeps the timing the same.
_DUMMY_HASH = hash_password("qstui-no-such-user")


def policy(db: Database) -> tuple[int, int]:
    """``(max_attempts, lock_minutes)`` from the settings (defaults 5 and 15)."""
    values = settings.get_settings(db, [MAX_ATTEMPTS, LOCK_MINUTES])
    return int(values[MAX_ATTEMPTS]), int(values[LOCK_MINUTES])


def _login_key(login_name: Any) -> str | None:
    """The stored form of a login, or None when it cannot be one (too long, not text,
    unencodable): such logins fail like unknown ones instead of reaching the database
    (Firebird rejects an over-long parameter with "string right truncation")."""
    if not isinstance(login_name, str):
        return None
    key = login_name.strip().lower()
    if not key or len(key) > LOGIN_MAX or "\x00" in key:
        return None
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return key


def login(db: Database, login_name: str, password: str, now: datetime | None = None) -> Context:
    """The user's context, or LoginFailed / AccountLocked. Failed attempts are counted.

    ``now`` (naive UTC) is for tests; the default is the current time.
    """
    now = now or utcnow()
    password = password if isinstance(password, str) else ""
    key = _login_key(login_name)
    max_attempts, lock_minutes = policy(db)
    attempt = 0
    while True:
        try:
            with db.transaction() as s:
                result = _attempt(s, db, key, password, now, max_attempts, lock_minutes)
            break
        except Exception as exc:
            # Two logins of the same user at once (a write conflict): try again.
            attempt += 1
            if attempt < _RETRIES and is_conflict(exc):
                continue
            raise
    if isinstance(result, Exception):
        raise result  # raised after the commit: the failed attempt stays counted
    return result


def _attempt(
    s: Session,
    db: Database,
    key: str | None,
    password: str,
    now: datetime,
    max_attempts: int,
    lock_minutes: int,
) -> Context | Exception:
    """One try in one transaction: the context, or the error to raise after commit."""
    user = None
    if key is not None:
        user = s.execute(
            select(
                AppUser.id,
                AppUser.login,
                AppUser.full_name,
                AppUser.role,
                AppUser.department_id,
                AppUser.pass_hash,
                AppUser.is_locked,
                AppUser.locked_until,
            ).where(AppUser.login == key)
        ).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return LoginFailed()
    if user.is_locked:
        return AccountLocked(None)
    if user.locked_until is not None and user.locked_until > now:
        return AccountLocked(user.locked_until)
    if not verify_password(user.pass_hash, password):
        _set(s, user.id, failed_logins=AppUser.failed_logins + 1)
        failed = s.scalar(select(AppUser.failed_logins).where(AppUser.id == user.id)) or 0
        if failed < max_attempts:
            return LoginFailed()
        until = now + timedelta(minutes=lock_minutes)
        _set(s, user.id, failed_logins=0, locked_until=until)
        return AccountLocked(until)
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if needs_rehash(user.pass_hash):
        values["pass_hash"] = hash_password(password)
    _set(s, user.id, **values)
    codes = s.scalars(select(UserRight.right_code).where(UserRight.user_id == user.id)).all()
    return Context(
        db=db,
        user_id=user.id,
        login=user.login,
        full_name=user.full_name,
        role=user.role,
        rights=frozenset(codes),
        department_id=user.department_id,
    )


def _set(s: Session, user_id: int, **values: Any) -> None:
    """Write login bookkeeping without touching the card's version or edit stamp."""
    s.execute(
        update(AppUser)
        .where(AppUser.id == user_id)
        .values(updated_at=AppUser.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
