"""Logging in (U1): argon2 passwords, the check-and-set counter and its lock (with a
frozen clock), one answer for unknown and locked logins, delays for administrators,
the audit of failures, policy from settings."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import AppUser, LoginDelay
from qstui.domain.calendar import to_local
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services import rights as R
from qstui.services.access import auth
from qstui.services.access import users as U
from qstui.services.access.audit_log import list_audit
from qstui.services.access.settings import set_setting
from qstui.services.context import Context

PASSWORD = "Верный-пароль-1"
T0 = datetime(2026, 3, 2, 9, 0, 0)
LOCK_END = T0 + timedelta(minutes=15)


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


def login_records(db: Database) -> list:
    """The audit rows of login attempts, oldest first."""
    records = list_audit(Context.system(db), object_kind="user", limit=10_000)
    logins = (AuditAction.LOGIN_FAILED, AuditAction.LOGIN_LOCKED)
    return [r for r in reversed(records) if r.action in logins]


def facts(record) -> dict:
    return {name: pair[1] for name, pair in record.changes.items()}


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


def test_the_fifth_failure_locks_and_only_the_right_password_learns_of_it(db, anna):
    errors = fail(db, 5, T0)
    # every wrong password gets the same answer, the one that locked included
    assert [type(e) for e in errors] == [LoginFailed] * 5
    assert (row(db).failed_logins, row(db).locked_until) == (5, LOCK_END)

    # the right password is refused while locked, and is told until when
    with pytest.raises(AccountLocked) as err:
        auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=14, seconds=59))
    assert err.value.until == LOCK_END
    shown = {moment.strftime("%d.%m.%Y %H:%M") for moment in (LOCK_END, to_local(LOCK_END))}
    assert any(text in str(err.value) for text in shown)  # UTC now; local time suggested
    assert row(db).failed_logins == 6  # counted as an attempt on a locked account

    # after the lock time the user can log in again
    ctx = auth.login(db, "anna", PASSWORD, now=LOCK_END)
    assert ctx.login == "anna"
    after = row(db)
    assert (after.failed_logins, after.locked_until, after.last_login_at) == (0, None, LOCK_END)


def test_after_the_lock_the_user_has_all_attempts_again(db, anna):
    fail(db, 5, T0)
    later = T0 + timedelta(minutes=20)
    fail(db, 4, later)
    assert (row(db).failed_logins, row(db).locked_until) == (4, None)
    fail(db, 1, later)
    assert row(db).locked_until == later + timedelta(minutes=15)


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
    with pytest.raises(LoginFailed):  # a wrong password does not learn of the lock
        auth.login(db, "anna", "wrong", now=T0)
    assert row(db).failed_logins == 2
    U.unlock_user(system, "anna")
    assert auth.login(db, "anna", PASSWORD, now=T0).login == "anna"


def test_the_policy_comes_from_the_settings(db, anna):
    assert auth.policy(db) == (5, 15)
    system = Context.system(db)
    set_setting(system, "auth.max_attempts", 2)
    set_setting(system, "auth.lock_minutes", 60)
    assert auth.policy(db) == (2, 60)
    fail(db, 1, T0)
    assert row(db).locked_until is None
    fail(db, 1, T0)
    assert row(db).locked_until == T0 + timedelta(minutes=60)
    with pytest.raises(AccountLocked):
        auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=59))
    assert auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=60)).login == "anna"


def test_a_broken_stored_policy_falls_back_to_the_defaults(db, anna):
    from qstui.db.models import Setting

    with db.transaction() as s:
        s.add(Setting(name="auth.max_attempts", val="many"))
        s.add(Setting(name="auth.lock_minutes", val=-3))
    assert auth.policy(db) == (5, 15)
    fail(db, 4, T0)
    assert row(db).locked_until is None
    fail(db, 1, T0)
    assert row(db).locked_until == LOCK_END


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


def test_a_locked_account_answers_like_an_unknown_login_until_the_password_is_right(db, anna):
    fail(db, 5, T0)
    with pytest.raises(LoginFailed) as locked:
        auth.login(db, "anna", "still-wrong", now=T0)
    with pytest.raises(LoginFailed) as unknown:
        auth.login(db, "nobody", "still-wrong", now=T0)
    assert str(locked.value) == str(unknown.value) == "Wrong login or password"
    with pytest.raises(AccountLocked) as right:
        auth.login(db, "anna", PASSWORD, now=T0)
    assert right.value.until == LOCK_END
    assert "locked until" in str(right.value)


def test_a_locked_accounts_password_is_checked_only_max_attempts_more_times(db, anna, monkeypatch):
    checked: list[str] = []
    real = auth.verify_password

    def verify(stored_hash: str, password: str) -> bool:
        if stored_hash == row(db).pass_hash:
            checked.append(password)
        return real(stored_hash, password)

    monkeypatch.setattr(auth, "verify_password", verify)
    fail(db, 5, T0)  # locked
    fail(db, 5, T0)  # checked on the locked account: its owner could still learn of the lock
    assert len(checked) == 10
    # from now on nothing is checked, so even the right password only gets the common answer
    with pytest.raises(LoginFailed):
        auth.login(db, "anna", PASSWORD, now=T0)
    assert len(checked) == 10
    assert row(db).failed_logins == 10
    # the lock ends as usual, with all the attempts again
    assert auth.login(db, "anna", PASSWORD, now=LOCK_END).login == "anna"


def test_failures_and_lockouts_are_audited_without_the_password(db, anna):
    guesses = [f"guess-{n}-Секрет" for n in range(5)]
    for guess in guesses:
        with pytest.raises(LoginFailed):
            auth.login(db, "anna", guess, now=T0, source="ssh 192.0.2.1")
    with pytest.raises(AccountLocked):
        auth.login(db, "anna", PASSWORD, now=T0, source="ssh 192.0.2.1")
    with pytest.raises(LoginFailed):
        auth.login(db, "Typed-Password-9", "x", now=T0, source="local eve@desk")

    records = login_records(db)
    assert [r.action for r in records] == [AuditAction.LOGIN_FAILED] * 4 + [
        AuditAction.LOGIN_LOCKED,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN_FAILED,
    ]
    assert [facts(r) for r in records[:2]] == [
        {"login": "anna", "outcome": "failed", "attempt": n, "source": "ssh 192.0.2.1"}
        for n in (1, 2)
    ]
    assert facts(records[4]) == {
        "login": "anna",
        "outcome": "locked",
        "attempt": 5,
        "locked_until": LOCK_END.isoformat(),
        "source": "ssh 192.0.2.1",
    }
    assert facts(records[5]) == {"login": "anna", "outcome": "locked", "source": "ssh 192.0.2.1"}
    assert facts(records[6]) == {"outcome": "unknown", "source": "local eve@desk"}
    assert all((r.object_kind, r.user_login) == ("user", "anna") for r in records[:6])
    assert (records[6].object_id, records[6].user_login) == (0, "system")
    text = repr(records)
    for secret in [*guesses, PASSWORD, "typed-password-9"]:
        assert secret.lower() not in text.lower()


def strong_hash(db: Database, user_id: int) -> str:
    """The account's hash made with qstui's real argon2 parameters (the tests' own are
    light): each check takes ~60 ms or more, as it does for a guesser."""
    from argon2 import PasswordHasher

    value = PasswordHasher().hash(PASSWORD)
    with db.transaction() as s:
        s.get(AppUser, user_id).pass_hash = value
    return value


def run_at_once(db: Database, count: int, attempt) -> list:
    """``attempt(database, n)`` in ``count`` threads released together, each thread with
    its own engine (its own connection); what each returned or raised."""
    bases = [Database(db.url) for _ in range(count)]
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        with bases[n].reader() as s:  # connected before the start
            s.scalar(select(1))
        barrier.wait()
        try:
            results[n] = attempt(bases[n], n)
        except Exception as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        for base in bases:
            base.dispose()
    return results


def test_a_burst_of_wrong_passwords_checks_no_more_than_the_limit_before_the_lock(
    db, anna, monkeypatch
):
    stored = strong_hash(db, anna)
    probe = Database(db.url)
    guard = threading.Lock()
    seen_locked: list[bool] = []  # per check of the account's password: locked by then?
    running = [0, 0]  # checks running now, the most at once

    real = auth.verify_password

    def verify(stored_hash: str, password: str) -> bool:
        if stored_hash != stored:
            return real(stored_hash, password)
        with probe.reader() as s:
            until = s.scalar(select(AppUser.locked_until).where(AppUser.id == anna))
        with guard:
            seen_locked.append(until is not None)
            running[0] += 1
            running[1] = max(running)
        try:
            return real(stored_hash, password)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(auth, "verify_password", verify)
    try:
        answers = run_at_once(
            db, 20, lambda base, n: auth.login(base, "anna", f"guess-{n}", now=T0)
        )
    finally:
        monkeypatch.undo()
        probe.dispose()
    assert seen_locked.count(False) <= 5  # never more than auth.max_attempts before the lock
    assert len(seen_locked) <= 10  # and max_attempts more on the locked account
    assert [type(a) for a in answers] == [LoginFailed] * 20, answers
    assert running[1] >= 2  # the checks really ran at the same time
    assert row(db).locked_until == LOCK_END
    with pytest.raises((LoginFailed, AccountLocked)):
        auth.login(db, "anna", PASSWORD, now=T0 + timedelta(minutes=1))
    actions = [r.action for r in login_records(db)]
    assert (actions.count(AuditAction.LOGIN_LOCKED), len(actions)) == (1, 21)
    # the lock ends as usual
    assert auth.login(db, "anna", PASSWORD, now=LOCK_END).login == "anna"


@pytest.fixture
def clock_sleep(clock_at):
    """A ``sleep`` that moves the frozen clock on instead of waiting; ``.slept`` lists
    what it was asked to wait."""
    from qstui.domain import clock

    clock_at(to_local(T0))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.freeze(clock.local_now() + timedelta(seconds=seconds))

    sleep.slept = slept  # type: ignore[attr-defined]
    return sleep


def test_an_administrator_is_never_locked_and_each_source_waits_longer(db, anna, clock_sleep):
    here, there = "ssh 192.0.2.1", "ssh 198.51.100.7"
    for _ in range(8):
        with pytest.raises(LoginFailed):
            auth.login(db, "boss", "wrong", source=here, sleep=clock_sleep)
    assert clock_sleep.slept == [1, 2, 4, 8, 16, 30, 30]
    boss = row(db, "boss")
    assert (boss.is_locked, boss.locked_until) == (False, None)
    assert facts(login_records(db)[-1])["delay"] == 30

    # another source is not delayed by these failures
    assert auth.login(db, "boss", PASSWORD, source=there, sleep=clock_sleep).login == "boss"
    assert len(clock_sleep.slept) == 7
    # the guessed-at source waits its 30 s; the right password then forgets its failures
    assert auth.login(db, "boss", PASSWORD, source=here, sleep=clock_sleep).login == "boss"
    assert clock_sleep.slept[7:] == [30]
    with db.reader() as s:
        assert s.scalars(select(LoginDelay)).all() == []
    with pytest.raises(LoginFailed):
        auth.login(db, "boss", "wrong", source=here, sleep=clock_sleep)
    assert len(clock_sleep.slept) == 8  # the first failure after a success waits for nothing


def test_the_right_to_administer_users_makes_an_administrator(db, anna, clock_sleep):
    U.grant(Context.system(db), "anna", R.USERS_ADMIN)
    for _ in range(6):
        with pytest.raises(LoginFailed):
            auth.login(db, "anna", "wrong", source="local anna@desk", sleep=clock_sleep)
    assert (row(db).locked_until, clock_sleep.slept) == (None, [1, 2, 4, 8, 16])


def test_an_administrator_locked_by_another_is_counted_like_anyone(db, anna, clock_sleep):
    system = Context.system(db)
    U.grant(system, "anna", R.USERS_ADMIN)  # someone must remain to administer users
    U.lock_user(system, "boss")
    with pytest.raises(AccountLocked):
        auth.login(db, "boss", PASSWORD, sleep=clock_sleep)
    fail(db, 12, T0, login="boss")
    with pytest.raises(LoginFailed):  # the checks on the locked account are used up
        auth.login(db, "boss", PASSWORD, sleep=clock_sleep)
    assert clock_sleep.slept == []


def test_concurrent_attempts_from_one_source_cannot_skip_an_administrators_delay(db, anna):
    slept = [0.0] * 5

    def attempt(base: Database, n: int) -> None:
        def sleep(seconds: float) -> None:
            slept[n] += seconds

        auth.login(base, "boss", f"guess-{n}", now=T0, source="ssh 192.0.2.1", sleep=sleep)

    answers = run_at_once(db, 5, attempt)
    assert [type(a) for a in answers] == [LoginFailed] * 5, answers
    # one after another, each after the delay the failures before it earned
    assert sorted(slept) == [0, 1, 3, 7, 15]


def test_the_source_of_a_process(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 50022 10.0.0.1 22")
    assert auth.current_source() == "ssh 203.0.113.5"
    monkeypatch.delenv("SSH_CONNECTION")
    assert auth.current_source().startswith("local ")
