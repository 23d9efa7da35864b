"""Logging in (U1): argon2 passwords, lockout with a frozen clock, policy from settings."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import AppUser
from qstui.domain.calendar import to_local
from qstui.domain.enums import Role
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services import rights as R
from qstui.services.access import auth
from qstui.services.access import users as U
from qstui.services.access.settings import set_setting
from qstui.services.context import Context

PASSWORD = "Верный-пароль-1"
T0 = datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def anna(db: Database) -> int:
    system = Context.system(db)
    U.create_user(system, "boss", "Boss", Role.ADMIN, PASSWORD)
    return U.create_user(system, "anna", "Анна Иванова", Role.MANAGER, PASSWORD, "Продажи")


def row(db: Database, login: str = "anna") -> AppUser:
    with db.reader() as s:
        user = s.scalar(select(AppUser).where(AppUser.login == login))
        assert user is not None
        s.expunge(user)
        return user


def fail(db: Database, times: int, now: datetime, login: str = "anna") -> list[Exception]:
    errors = []
    for _ in range(times):
        with pytest.raises((LoginFailed, AccountLocked)) as err:
            auth.login(db, login, "wrong", now=now)
        errors.append(err.value)
    return errors


def test_login_returns_the_users_context(db, anna):
    ctx = auth.login(db, "  ANNA ", PASSWORD, now=T0)
    assert isinstance(ctx, Context)
    assert (ctx.user_id, ctx.login, ctx.full_name, ctx.role) == (
        anna,
        "anna",
        "Анна Иванова",
        Role.MANAGER,
    )
    assert ctx.rights == R.PRESETS[Role.MANAGER]
    assert ctx.department_id is not None and ctx.department_id == row(db).department_id
    assert row(db).last_login_at == T0


def test_lockout_after_five_failures_with_the_time_in_the_message(db, anna):
    errors = fail(db, 5, T0)
    assert all(type(e) is LoginFailed for e in errors[:4])
    assert row(db).failed_logins == 0  # reset when the lock is set
    locked = errors[4]
    assert isinstance(locked, AccountLocked)
    until = T0 + timedelta(minutes=15)
    assert locked.until == until
    shown = {moment.strftime("%d.%m.%Y %H:%M") for moment in (until, to_local(until))}
    assert any(text in str(locked) for text in shown)  # UTC now; local time suggested
    assert row(db).locked_until == until

    # even the right password is refused while locked, and nothing more is counted
    with pytest.raises(AccountLocked) as err:
        auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=14, seconds=59))
    assert err.value.until == until
    assert row(db).failed_logins == 0

    # after the lock time the user can log in again
    ctx = auth.login(db, "anna", PASSWORD, now=until)
    assert ctx.login == "anna"
    after = row(db)
    assert (after.failed_logins, after.locked_until, after.last_login_at) == (0, None, until)


def test_after_the_lock_the_user_has_all_attempts_again(db, anna):
    fail(db, 5, T0)
    later = T0 + timedelta(minutes=20)
    errors = fail(db, 5, later)
    assert all(type(e) is LoginFailed for e in errors[:4])
    assert isinstance(errors[4], AccountLocked)
    assert errors[4].until == later + timedelta(minutes=15)


def test_failed_attempts_are_committed_and_reset_by_a_success(db, anna):
    fail(db, 3, T0)
    assert row(db).failed_logins == 3  # committed although every call raised
    auth.login(db, "anna", PASSWORD, now=T0)
    assert row(db).failed_logins == 0
    errors = fail(db, 4, T0)
    assert all(type(e) is LoginFailed for e in errors)  # the count started again
    assert row(db).failed_logins == 4


def test_unknown_login_fails_like_a_wrong_password(db, anna):
    with pytest.raises(LoginFailed) as unknown:
        auth.login(db, "nobody", "whatever", now=T0)
    with pytest.raises(LoginFailed) as wrong:
        auth.login(db, "anna", "whatever", now=T0)
    assert str(unknown.value) == str(wrong.value) == "Wrong login or password"
    # an unknown login never locks anything
    for _ in range(7):
        with pytest.raises(LoginFailed):
            auth.login(db, "nobody", "x", now=T0)


@pytest.mark.parametrize(
    "login",
    ["", "   ", "x" * 61, "x" * 5000, "a\x00b", "\ud800", "%", "anna' OR '1'='1"],
)
def test_impossible_logins_fail_cleanly(db, anna, login):
    with pytest.raises(LoginFailed):
        auth.login(db, login, PASSWORD, now=T0)


def test_wrong_types_and_empty_passwords_fail_cleanly(db, anna):
    for password in ("", None, "x" * 10000):
        with pytest.raises(LoginFailed):
            auth.login(db, "anna", password, now=T0)  # type: ignore[arg-type]
    assert row(db).failed_logins == 3


def test_an_admin_lock_wins_over_the_right_password(db, anna):
    system = Context.system(db)
    U.lock_user(system, "anna")
    with pytest.raises(AccountLocked) as err:
        auth.login(db, "anna", PASSWORD, now=T0)
    assert err.value.until is None
    assert str(err.value) == "The account is locked by an administrator"
    assert row(db).failed_logins == 0
    U.unlock_user(system, "anna")
    assert auth.login(db, "anna", PASSWORD, now=T0).login == "anna"


def test_the_policy_comes_from_the_settings(db, anna):
    assert auth.policy(db) == (5, 15)
    system = Context.system(db)
    set_setting(system, "auth.max_attempts", 2)
    set_setting(system, "auth.lock_minutes", 60)
    assert auth.policy(db) == (2, 60)
    errors = fail(db, 2, T0)
    assert type(errors[0]) is LoginFailed
    assert isinstance(errors[1], AccountLocked)
    assert errors[1].until == T0 + timedelta(minutes=60)
    with pytest.raises(AccountLocked):
        auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=59))
    assert auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=60)).login == "anna"


def test_a_broken_stored_policy_falls_back_to_the_defaults(db, anna):
    from qstui.db.models import Setting

    with db.transaction() as s:
        s.add(Setting(name="auth.max_attempts", val="many"))
        s.add(Setting(name="auth.lock_minutes", val=-3))
    assert auth.policy(db) == (5, 15)
    errors = fail(db, 5, T0)
    assert isinstance(errors[4], AccountLocked)


def test_a_login_does_not_touch_the_card_version(db, anna):
    before = row(db)
    fail(db, 2, T0)
    auth.login(db, "anna", PASSWORD, now=T0)
    after = row(db)
    assert (after.version, after.updated_at, after.updated_by) == (
        before.version,
        before.updated_at,
        before.updated_by,
    )
    assert after.last_login_at == T0


def test_an_old_hash_is_upgraded_on_login(db, anna):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.transaction() as s:
        s.get(AppUser, anna).pass_hash = weak
    auth.login(db, "anna", PASSWORD, now=T0)
    stored = row(db).pass_hash
    assert stored != weak and stored.startswith("$argon2id$")
    assert auth.login(db, "anna", PASSWORD, now=T0).login == "anna"


def test_concurrent_failures_are_all_counted(db, anna):
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            auth.login(db, "anna", "wrong", now=T0)
        except LoginFailed:
            outcomes.append("failed")
        except Exception as exc:  # anything else is a bug
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["failed"] * 3
    assert row(db).failed_logins == 3
