"""One login attempt's turn (U1), private to ``auth`` (whose docstring states the rules):
the check-and-set gate that decides whether a password is checked at all, the pure
rules it applies, and what is written once the password has been checked.

The gate is one short transaction that starts by updating the account's row (a no-op
write), so every attempt on the same login holds that row's write lock while it reads
the state, decides and counts: on SQLite the write lock of the database, on Firebird the
row's lock, where a concurrent attempt waits and then gets an update conflict and takes
its turn again. No lock is held while the password is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, false, select, update
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.errors import is_conflict
from qstui.db.models import AppUser, LoginDelay, UserRight
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import AccountLocked
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context

MAX_DELAY = timedelta(seconds=30)  # the longest wait of an administrator's source
_GATE_TRIES = 50  # each lost try is another attempt on the same login that went through
_WRITE_TRIES = 5


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    lock_minutes: int


@dataclass(frozen=True)
class Counted:
    """The failed-attempt counter's decision for one attempt on an account."""

    check: bool  # the password is checked against the account's hash
    may_enter: bool  # a right password logs in (False: it only learns of the lock)
    failed: int  # the count afterwards, this attempt counted as failed
    locked_until: datetime | None  # the temporary lock afterwards
    locks: bool  # this attempt set that lock: it stands unless the password is right


def count_attempt(
    failed: int, locked_until: datetime | None, is_locked: bool, now: datetime, policy: Policy
) -> Counted:
    """Count one attempt before its password is checked (an attempt is a failure until
    the password proves right)."""
    if locked_until is not None and locked_until <= now:
        failed, locked_until = 0, None  # the lock is over: all the attempts again
    if is_locked or locked_until is not None:
        # Locked: the password is checked only so that its owner can learn of the lock,
        # and only ``max_attempts`` times more, or the lock would not stop a guesser.
        if failed >= 2 * policy.max_attempts:
            return Counted(False, False, failed, locked_until, False)
        return Counted(True, False, failed + 1, locked_until, False)
    failed += 1
    if failed < policy.max_attempts:
        return Counted(True, True, failed, None, False)
    return Counted(True, True, failed, now + timedelta(minutes=policy.lock_minutes), True)


def admin_delay(failures: int) -> timedelta:
    """How long a source waits after ``failures`` failed logins in a row as an
    administrator: 1, 2, 4, 8, 16, then 30 seconds."""
    return min(timedelta(seconds=2 ** min(max(failures, 1) - 1, 5)), MAX_DELAY)


def must_wait(next_at: datetime | None, now: datetime) -> bool:
    """Whether a source has to wait for ``next_at``; a moment further away than the
    longest delay (another computer's clock) is not waited for."""
    return next_at is not None and now < next_at <= now + MAX_DELAY


@dataclass(frozen=True)
class Turn:
    """What the gate decided for one attempt."""

    user_id: int | None = None  # None: no such account (or the gate was never won)
    login: str = ""
    check: bool = False
    may_enter: bool = False
    pass_hash: str = ""
    failed: int = 0  # failures in a row (from this source, for an administrator)
    locks: bool = False
    locked_until: datetime | None = None
    by_admin: bool = False  # locked by an administrator
    admin: bool = False  # an administrator: delays per source instead of a lock
    wait_until: datetime | None = None  # an administrator's source: come back then
    busy: bool = False  # the gate was never won (too many attempts at once): not counted

    @property
    def lock(self) -> AccountLocked:
        """The lock a right password is told about."""
        return AccountLocked(None if self.by_admin else self.locked_until)


def take_turn(db: Database, key: str, source: str, now: datetime, policy: Policy) -> Turn:
    """The gate: decide and count in one transaction. An attempt that loses the row to
    concurrent ones every time is failed unchecked, like one on a locked account."""
    for _try in range(_GATE_TRIES):
        try:
            with db.transaction() as s:
                return _take_turn(s, key, source, now, policy)
        except Exception as exc:
            if not is_conflict(exc):
                raise
    return Turn(busy=True)


def _take_turn(s: Session, key: str, source: str, now: datetime, policy: Policy) -> Turn:
    # A no-op write first: from here on this attempt holds the row's write lock.
    taken = s.execute(
        update(AppUser)
        .where(AppUser.login == key)
        .values(failed_logins=AppUser.failed_logins, updated_at=AppUser.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        return Turn()
    row = s.execute(
        select(
            AppUser.id,
            AppUser.login,
            AppUser.role,
            AppUser.pass_hash,
            AppUser.is_locked,
            AppUser.locked_until,
            AppUser.failed_logins,
        ).where(AppUser.login == key)
    ).one()
    known = {"user_id": row.id, "login": row.login, "pass_hash": row.pass_hash}
    if not row.is_locked and _is_admin(s, row.id, row.role):
        return _admin_turn(s, row.id, source, now, known)
    counted = count_attempt(row.failed_logins, row.locked_until, row.is_locked, now, policy)
    if (counted.failed, counted.locked_until) != (row.failed_logins, row.locked_until):
        _set(s, row.id, failed_logins=counted.failed, locked_until=counted.locked_until)
    return Turn(
        check=counted.check,
        may_enter=counted.may_enter,
        failed=counted.failed,
        locks=counted.locks,
        locked_until=counted.locked_until,
        by_admin=row.is_locked,
        **known,
    )


def _is_admin(s: Session, user_id: int, role: Role) -> bool:
    """The administrator role, or the right to administer users (who unlocks others)."""
    if role is Role.ADMIN:
        return True
    held = select(UserRight.user_id).where(
        UserRight.user_id == user_id, UserRight.right_code == R.USERS_ADMIN
    )
    return s.scalar(held) is not None


def _admin_turn(
    s: Session, user_id: int, source: str, now: datetime, known: dict[str, Any]
) -> Turn:
    delay = s.scalar(
        select(LoginDelay).where(LoginDelay.user_id == user_id, LoginDelay.source == source)
    )
    if delay is not None and must_wait(delay.next_at, now):
        return Turn(admin=True, wait_until=delay.next_at, **known)
    failed = (delay.failures if delay is not None else 0) + 1
    next_at = now + admin_delay(failed)
    if delay is None:
        s.add(LoginDelay(user_id=user_id, source=source, failures=failed, next_at=next_at))
    else:
        delay.failures, delay.next_at = failed, next_at
    return Turn(check=True, may_enter=True, failed=failed, admin=True, **known)


def enter(
    db: Database, turn: Turn, source: str, now: datetime, new_hash: str | None
) -> Context | AccountLocked:
    """A right password: reset the counters (and this source's delay) and return the
    user's context; AccountLocked when an administrator locked the account meanwhile.
    ``new_hash`` replaces an outdated hash (if the password was not changed meanwhile)."""
    tries = 0
    while True:
        try:
            with db.transaction() as s:
                return _enter(s, db, turn, source, now, new_hash)
        except Exception as exc:
            tries += 1
            if tries == _WRITE_TRIES or not is_conflict(exc):
                raise


def _enter(
    s: Session, db: Database, turn: Turn, source: str, now: datetime, new_hash: str | None
) -> Context | AccountLocked:
    user_id = turn.user_id
    cleared = s.execute(
        update(AppUser)
        .where(AppUser.id == user_id, AppUser.is_locked == false())
        .values(
            failed_logins=0, locked_until=None, last_login_at=now, updated_at=AppUser.updated_at
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cleared:
        return AccountLocked(None)
    if new_hash is not None:
        s.execute(
            update(AppUser)
            .where(AppUser.id == user_id, AppUser.pass_hash == turn.pass_hash)
            .values(pass_hash=new_hash, updated_at=AppUser.updated_at)
            .execution_options(synchronize_session=False)
        )
    if turn.admin:
        s.execute(
            delete(LoginDelay).where(LoginDelay.user_id == user_id, LoginDelay.source == source)
        )
    return user_context(s, db, user_id)


def user_context(s: Session, db: Database, user_id: int) -> Context:
    """The context of the user ``user_id``: who it is and its rights."""
    user = s.execute(
        select(
            AppUser.login, AppUser.full_name, AppUser.role, AppUser.department_id, AppUser.lang
        ).where(AppUser.id == user_id)
    ).one()
    codes = s.scalars(select(UserRight.right_code).where(UserRight.user_id == user_id)).all()
    return Context(
        db=db,
        user_id=user_id,
        login=user.login,
        full_name=user.full_name,
        role=user.role,
        rights=frozenset(codes),
        department_id=user.department_id,
        lang=user.lang,
    )


def record_failure(db: Database, turn: Turn, source: str, refused: bool) -> None:
    """The audit row of a failed attempt: the login tried (the account's, never the
    typed text of an unknown one: it may be a password typed in the wrong field), the
    source and the outcome; never the password. ``refused``: the account was locked."""
    if turn.user_id is None:
        action, kind_id = AuditAction.LOGIN_FAILED, 0
        facts: dict[str, Any] = {"outcome": "unknown"}
    elif refused:
        action, kind_id = AuditAction.LOGIN_FAILED, turn.user_id
        facts = {"login": turn.login, "outcome": "locked"}
    elif turn.locks:
        action, kind_id = AuditAction.LOGIN_LOCKED, turn.user_id
        facts = {
            "login": turn.login,
            "outcome": "locked",
            "attempt": turn.failed,
            "locked_until": audit.plain(turn.locked_until),
        }
    else:
        action, kind_id = AuditAction.LOGIN_FAILED, turn.user_id
        facts = {"login": turn.login, "outcome": "failed", "attempt": turn.failed}
        if turn.admin:
            facts["delay"] = int(admin_delay(turn.failed).total_seconds())
    facts["source"] = source
    with db.transaction() as s:
        audit.record_as(
            s, turn.user_id, action, "user", kind_id, {k: [None, v] for k, v in facts.items()}
        )


def _set(s: Session, user_id: int, **values: Any) -> None:
    """Write login bookkeeping without touching the card's version or edit stamp."""
    s.execute(
        update(AppUser)
        .where(AppUser.id == user_id)
        .values(updated_at=AppUser.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
