"""Logging in (U1): the argon2 password check, a failed-attempt counter with a temporary
lock, and delays instead of a lock for administrators.

The policy lives in the application settings (``services.settings``), shared by every
client of a database: ``auth.max_attempts`` (default 5) and ``auth.lock_minutes``
(default 15).

**Counting is check-and-set.** An attempt is counted as failed *before* its password is
checked, in one short transaction that holds the account row's write lock while it reads
the state, decides and writes the count (``_attempts``: a no-op UPDATE of the row comes
first; on SQLite it takes the database's write lock, on Firebird the row's, and a
concurrent attempt waits, gets an update conflict and takes its turn again; one that
loses 50 times is answered "wrong login or password" unchecked). The attempt that brings
the count to ``max_attempts`` sets the lock for ``lock_minutes`` there and then. The
check itself (argon2, slow on purpose) runs outside any transaction, so concurrent
attempts are checked in parallel, and still at most ``max_attempts`` of them are checked
before the lock. A right password resets the count and the temporary lock (having taken
its turn before the lock, it was one of the ``max_attempts``); a process that dies while
checking leaves its attempt counted as failed.

**Locked accounts.** While an account is locked (for ``lock_minutes``, or by an
administrator: ``users.is_locked``), a right password is refused with "locked until …" /
"locked by an administrator". So that the lock keeps stopping a guesser, a locked
account's password is checked only ``max_attempts`` more times (counted as before); after
that every attempt is refused unchecked, whatever the password. When the lock is over,
the count starts again.

**One answer.** An unknown login, a wrong password and every attempt on a locked account
answer "wrong login or password", and take the same time (an unchecked attempt is checked
against a dummy hash): only a right password learns that the account is locked.

**Administrators** (the role ``admin`` or the right ``users.admin``) are never locked by
failed attempts, or a guesser could lock out everyone who can unlock accounts. Instead
each *source* — the SSH client's address (``SSH_CONNECTION``, set by sshd), else the OS
user and host of the process — waits after failures in a row: after the n-th, the next
attempt from that source is checked no earlier than min(2^(n−1), 30) seconds later (1, 2,
4, 8, 16, 30, 30 … s). An earlier attempt waits for that moment (on the one clock, with
an injectable ``sleep``) and then takes its turn. The moment is kept in the database
(``login_delays``, per administrator and source), so neither a new process nor concurrent
attempts skip it, and a guesser elsewhere does not delay the administrator's own source.
A successful login from a source forgets its failures. An administrator locked by another
one is counted like any account.

**Audit.** Every failed attempt writes an audit row (``login_failed``; ``login_locked``
for the one that locked the account) with the account's login, the source, the outcome
(``failed``, ``locked``, ``unknown``) and the attempt's number — never the password, nor
the text of an unknown login (it may be a password typed in the login field).

**Per-user Firebird logins.** With a URL that names no user, the server checks the
login and password (``direct_login``; the counters above do not apply there). On the
owner's connection, an account whose password is its Firebird login's is checked by
connecting with it.

These rules run where the login is checked: they hold against guessing through qstui,
not against someone who holds the database's own credentials.
A login is not an edit of the user's card: the counters are written with a plain UPDATE
that leaves ``version`` / ``updated_at`` / ``updated_by`` alone.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from qstui.db import logins
from qstui.db.engine import Database
from qstui.db.grants import OWN_LOGIN
from qstui.domain.clock import utcnow
from qstui.domain.errors import AccountLocked, LoginFailed
from qstui.services.access import direct_login, settings
from qstui.services.access._attempts import Policy, Turn, enter, record_failure, take_turn
from qstui.services.access.passwords import hash_password, needs_rehash, verify_password
from qstui.services.access.user_lookup import LOGIN_MAX
from qstui.services.context import Context

MAX_ATTEMPTS = settings.AUTH_MAX_ATTEMPTS
LOCK_MINUTES = settings.AUTH_LOCK_MINUTES
SOURCE_MAX = 100  # login_delays.source is VARCHAR(100)


@cache
def _dummy_hash() -> str:
    """A hash to check an unknown login's password against: the answer takes the time
    a real check takes. Made on first use, not at import (~0.1 s of every start)."""
    return hash_password("qstui-no-such-user")


def policy(db: Database) -> tuple[int, int]:
    """``(max_attempts, lock_minutes)`` from the settings (defaults 5 and 15)."""
    values = settings.get_settings(db, [MAX_ATTEMPTS, LOCK_MINUTES])
    return int(values[MAX_ATTEMPTS]), int(values[LOCK_MINUTES])


def current_source() -> str:
    """Where this process's logins come from: ``ssh ADDRESS`` of the SSH client, else
    ``local USER@HOST``."""
    client = os.environ.get("SSH_CONNECTION", "").split()
    if client:
        return f"ssh {client[0]}"[:SOURCE_MAX]
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return f"local {user}@{socket.gethostname()}"[:SOURCE_MAX]


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


def login(
    db: Database,
    login_name: str,
    password: str,
    now: datetime | None = None,
    *,
    source: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Context:
    """The user's context, or LoginFailed / AccountLocked (see the module's rules).

    ``now`` (naive UTC) is for tests, the default is the clock's; ``source`` defaults to
    ``current_source()``; ``sleep`` waits out an administrator's delay.
    """
    if db.needs_login:  # users' own database logins: the server checks the password
        return direct_login.login(db, login_name, password, now)
    password = password if isinstance(password, str) else ""
    key = _login_key(login_name)
    where = (source if source is not None else current_source())[:SOURCE_MAX]
    max_attempts, lock_minutes = policy(db)
    rules = Policy(max_attempts, lock_minutes)
    moment = now or utcnow()
    turn = Turn()
    while key is not None:
        turn = take_turn(db, key, where, moment, rules)
        if turn.wait_until is None:
            break
        sleep((turn.wait_until - moment).total_seconds())
        # at least the moment waited for, whatever a frozen clock says
        moment = max(moment if now else utcnow(), turn.wait_until)
    if not turn.check:
        verify_password(_dummy_hash(), password)  # the time a real check takes
        if not turn.busy:
            record_failure(db, turn, where, refused=turn.user_id is not None)
        raise LoginFailed()
    if not _password_ok(db, turn, password):
        record_failure(db, turn, where, refused=not turn.may_enter)
        raise LoginFailed()
    if not turn.may_enter:
        record_failure(db, turn, where, refused=True)
        raise turn.lock
    new_hash = None
    if turn.pass_hash != OWN_LOGIN and needs_rehash(turn.pass_hash):
        new_hash = hash_password(password)
    result = enter(db, turn, where, moment, new_hash)
    if isinstance(result, AccountLocked):
        record_failure(db, turn, where, refused=True)
        raise result
    return result


def _password_ok(db: Database, turn: Turn, password: str) -> bool:
    """The password check: argon2, or the database server for an account whose password
    is its own login's there (per-user mode, logging in on the owner's connection)."""
    if turn.pass_hash == OWN_LOGIN:
        return logins.password_ok(db, turn.login, password)
    return verify_password(turn.pass_hash, password)
