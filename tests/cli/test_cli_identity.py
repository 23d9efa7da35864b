"""The CLI acts as a user only after that user proved who they are (issue 10, "The CLI
acts as a proven user"), on both backends: ``--as LOGIN`` needs the password (stdin or
a prompt on a terminal) or the token of ``qstui login``; a locked user is refused every
way; admin commands and user commands alike leave the OS user and host in the audit log.
"""

from __future__ import annotations

import getpass
import json
import os
import select
import signal
import socket
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func
from sqlalchemy import select as sql_select
from tests.cli.outcome import one_line_error
from tests.conftest import file_mode

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AppUser, AuditEntry, Company, UserToken
from qstui.domain.clients import CompanyInput
from qstui.domain.enums import Role
from qstui.services import rights as R
from qstui.services.access import settings as S
from qstui.services.access import tokens
from qstui.services.access import users as U
from qstui.services.clients import companies as C
from qstui.services.context import Context, context_for

PASSWORD = "Anna-pass-1"
OTHER_PASSWORD = "Boris-pass-2"
KEEPER = "Keeper-pass-3"
DAY = date(2026, 11, 25)


def run(db: Database, *args: str, password: str | None = None) -> Result:
    """``qstui --db URL ARGS``; with ``password``, it is the first line of stdin."""
    url = db.url.render_as_string(hide_password=False)
    stdin = None if password is None else password + "\n"
    return CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["--db", url, "--lang", "en", *args], input=stdin
    )


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    """anna and boris, managers of one department, with a client each; keeper, who
    administers users."""
    system = Context.system(db)
    ids = {
        "anna": U.create_user(system, "anna", "Anna", Role.MANAGER, PASSWORD, "Продажи"),
        "boris": U.create_user(system, "boris", "Boris", Role.MANAGER, OTHER_PASSWORD, "Продажи"),
        "keeper": U.create_user(system, "keeper", "Keeper", Role.MANAGER, KEEPER),
    }
    U.grant(system, "keeper", R.USERS_ADMIN)
    ids["romashka"] = C.create_company(context_for(db, "anna"), CompanyInput(name="Ромашка"))
    ids["vasilek"] = C.create_company(context_for(db, "boris"), CompanyInput(name="Василёк"))
    return ids


def listed(result: Result) -> list[str]:
    return [row["name"] for row in json.loads(ok(result))]


def company_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(sql_select(func.count()).select_from(Company)) or 0)


def failed_logins(db: Database, login: str) -> int:
    with db.reader() as s:
        return int(s.scalar(sql_select(AppUser.failed_logins).where(AppUser.login == login)))


def token_rows(db: Database) -> list[UserToken]:
    with db.reader() as s:
        rows = list(s.scalars(sql_select(UserToken).order_by(UserToken.id)))
        s.expunge_all()
        return rows


def log_in(db: Database, login: str = "anna", password: str = PASSWORD) -> Path:
    """``qstui login --as LOGIN --password-stdin``; returns the token file it names."""
    out = ok(run(db, "login", "--as", login, "--password-stdin", password=password))
    assert out.startswith(f"Logged in as {login} until ")
    return Path(out.rsplit(" ", 1)[1].strip())


# --- without proof -----------------------------------------------------------------------


def test_as_without_a_password_or_a_token_is_refused(db, people):
    before = company_count(db)
    one_line_error(run(db, "client", "list", "--as", "anna"), "anna", "qstui login --as anna")
    one_line_error(run(db, "client", "add", "--name", "Лютик", "--as", "anna"), "--password-stdin")
    one_line_error(
        run(db, "client", "edit", str(people["romashka"]), "--city", "Тула", "--as", "anna")
    )
    assert company_count(db) == before
    # the same in Russian
    url = db.url.render_as_string(hide_password=False)
    russian = CliRunner().invoke(
        cli, ["--db", url, "--lang", "ru", "client", "list", "--as", "anna"]
    )
    assert russian.exit_code == 1 and "нужен его пароль" in russian.stderr


def test_usage_mistakes(db, people):
    result = run(db, "client", "list", "--password-stdin", password=PASSWORD)
    assert result.exit_code == 2 and "--password-stdin goes with --as" in result.stderr
    result = run(db, "client", "list", "--as", " ")
    assert result.exit_code == 2 and "--as needs a login" in result.stderr
    one_line_error(
        run(db, "client", "list", "--as", "anna", "--password-stdin", password=""), "stdin"
    )
    assert failed_logins(db, "anna") == 0  # an empty line is no attempt


# --- the password ------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_counted_as_a_failed_login(db, people):
    one_line_error(
        run(db, "client", "list", "--as", "anna", "--password-stdin", password="wrong"),
        "Wrong login or password",
    )
    assert failed_logins(db, "anna") == 1
    add = ("client", "add", "--name", "Лютик", "--as", "anna", "--password-stdin")
    one_line_error(run(db, *add, password=OTHER_PASSWORD), "Wrong login or password")
    assert failed_logins(db, "anna") == 2
    assert company_count(db) == 2


def test_the_right_password_on_stdin_acts_as_the_user(db, people):
    mine = run(
        db, "client", "list", "--as", "anna", "--json", "--password-stdin", password=PASSWORD
    )
    assert listed(mine) == ["Ромашка"]  # anna's rights: her own clients only
    assert failed_logins(db, "anna") == 0
    assert token_rows(db) == []  # a password proves one command, it leaves no token


# --- qstui login ---------------------------------------------------------------------------


def test_login_writes_a_private_token_file_and_later_commands_need_no_password(
    db, people, state_dir, open_umask, clock_at
):
    clock_at(DAY)
    file = log_in(db)
    assert file.parent == state_dir / "tokens"
    if os.name == "posix":
        assert file_mode(file) == 0o600 and file_mode(file.parent) == 0o700
    secret = json.loads(file.read_text(encoding="utf-8"))["secret"]
    (row,) = token_rows(db)
    assert row.token_hash == tokens.secret_hash(secret) and secret not in row.token_hash
    assert (row.os_user, row.os_host) == (getpass.getuser(), socket.gethostname())
    assert row.expires_at - row.created_at == timedelta(days=30)  # auth.token_days

    assert listed(run(db, "client", "list", "--as", "anna", "--json")) == ["Ромашка"]
    added = ok(run(db, "client", "add", "--name", "Лютик", "--as", "anna"))
    assert company_count(db) == 3 and added.strip().isdigit()
    assert token_rows(db)[0].last_used_at is not None
    # the secret is nowhere but in the file: not on the screen, not in the audit log
    with db.reader() as s:
        logged = [json.dumps(c) for c in s.scalars(sql_select(AuditEntry.changes))]
    assert not any(secret in text or row.token_hash in text for text in logged)


def test_a_new_login_replaces_and_revokes_the_previous_token(db, people):
    first = log_in(db)
    old_secret = json.loads(first.read_text(encoding="utf-8"))["secret"]
    second = log_in(db)
    assert second == first
    assert json.loads(second.read_text(encoding="utf-8"))["secret"] != old_secret
    (row,) = token_rows(db)
    assert row.token_hash != tokens.secret_hash(old_secret)


def test_login_with_a_wrong_password_makes_no_token(db, people, state_dir):
    result = run(db, "login", "--as", "anna", "--password-stdin", password="wrong")
    one_line_error(result, "Wrong login or password")
    assert token_rows(db) == [] and not (state_dir / "tokens").exists()
    assert failed_logins(db, "anna") == 1
    one_line_error(run(db, "login", "--as", "anna"), "no terminal", "--password-stdin")


def test_logout_revokes_the_token_and_deletes_the_file(db, people):
    file = log_in(db)
    saved = file.read_bytes()
    out = ok(run(db, "logout", "--as", "anna"))
    assert "anna logged out" in out
    assert not file.exists() and token_rows(db) == []
    file.write_bytes(saved)  # a copy kept somewhere proves nothing any more
    file.chmod(0o600)
    one_line_error(run(db, "client", "list", "--as", "anna"), "revoked", "qstui login --as anna")
    assert not file.exists()
    assert "not logged in" in ok(run(db, "logout", "--as", "anna"))


# --- tokens that no longer prove anything ---------------------------------------------------


def test_a_revoked_token_is_refused(db, people):
    file = log_in(db)
    assert "Tokens revoked: 1" in ok(run(db, "user", "tokens", "revoke", "anna", "--all"))
    before = company_count(db)
    one_line_error(run(db, "client", "add", "--name", "Лютик", "--as", "anna"), "revoked")
    assert company_count(db) == before
    assert not file.exists()  # the stale file is gone: the next command asks for a password
    one_line_error(run(db, "client", "list", "--as", "anna"), "needs their password")


def test_an_expired_token_is_refused(db, people, clock_at):
    S.set_setting(Context.system(db), S.AUTH_TOKEN_DAYS, 2)
    clock_at(DAY)
    log_in(db)
    clock_at(datetime.combine(DAY + timedelta(days=1), datetime.min.time()))
    assert listed(run(db, "client", "list", "--as", "anna", "--json")) == ["Ромашка"]
    clock_at(DAY + timedelta(days=2))
    one_line_error(run(db, "client", "list", "--as", "anna"), "expired on 27.11.2026")
    # still listed, as expired, until revoked
    (info,) = json.loads(ok(run(db, "user", "tokens", "list", "anna", "--json")))
    assert info["expired"] is True


def test_a_user_locked_after_the_token_was_made_is_refused(db, people):
    log_in(db)
    ok(run(db, "user", "lock", "anna"))
    one_line_error(run(db, "client", "list", "--as", "anna"), "locked by an administrator")
    edit = run(db, "client", "edit", str(people["romashka"]), "--city", "Тула", "--as", "anna")
    one_line_error(edit, "locked")
    one_line_error(
        run(db, "client", "list", "--as", "anna", "--password-stdin", password=PASSWORD), "locked"
    )
    one_line_error(
        run(db, "login", "--as", "anna", "--password-stdin", password=PASSWORD), "locked"
    )
    ok(run(db, "user", "unlock", "anna"))
    assert listed(run(db, "client", "list", "--as", "anna", "--json")) == ["Ромашка"]


def test_a_temporary_lock_after_failed_logins_refuses_the_token_too(db, people, clock_at):
    clock_at(DAY)
    S.set_setting(Context.system(db), S.AUTH_MAX_ATTEMPTS, 2)
    log_in(db)
    for _attempt in range(2):
        bad = run(db, "client", "list", "--as", "anna", "--password-stdin", password="guess")
        assert bad.exit_code == 1
    one_line_error(run(db, "client", "list", "--as", "anna"), "locked until")
    clock_at(datetime.combine(DAY, datetime.min.time()) + timedelta(hours=11))  # lock is over
    assert listed(run(db, "client", "list", "--as", "anna", "--json")) == ["Ромашка"]


def test_an_exposed_token_file_is_not_used(db, people):
    if os.name != "posix":
        pytest.skip("file modes are POSIX")
    file = log_in(db)
    file.chmod(0o644)
    one_line_error(run(db, "client", "list", "--as", "anna"), "read by other users", "qstui logout")
    assert file.exists()
    ok(run(db, "logout", "--as", "anna"))  # the cure works on it
    assert not file.exists() and token_rows(db) == []


# --- who may list and revoke tokens ---------------------------------------------------------


def test_tokens_list_and_revoke_rights(db, people):
    log_in(db, "anna", PASSWORD)
    log_in(db, "boris", OTHER_PASSWORD)
    anna_id, boris_id = (row.id for row in token_rows(db))

    everyone = json.loads(ok(run(db, "user", "tokens", "list", "--json")))
    assert [t["login"] for t in everyone] == ["anna", "boris"]
    assert all("secret" not in t and "token_hash" not in t for t in everyone)
    assert "boris" in ok(run(db, "user", "tokens", "list"))
    own = json.loads(ok(run(db, "user", "tokens", "list", "--as", "boris", "--json")))
    assert [t["id"] for t in own] == [boris_id]
    one_line_error(run(db, "user", "tokens", "list", "anna", "--as", "boris"), "Access denied")

    # a manager cannot revoke another user's token
    one_line_error(
        run(db, "user", "tokens", "revoke", "anna", "--all", "--as", "boris"), "Access denied"
    )
    one_line_error(
        run(db, "user", "tokens", "revoke", "anna", str(anna_id), "--as", "boris"), "Access denied"
    )
    one_line_error(
        run(db, "user", "tokens", "revoke", "boris", str(anna_id), "--as", "boris"), "not found"
    )
    assert len(token_rows(db)) == 2
    assert listed(run(db, "client", "list", "--as", "anna", "--json")) == ["Ромашка"]

    # but their own, and an administrator of users anyone's
    ok(run(db, "user", "tokens", "revoke", "boris", str(boris_id), "--as", "boris"))
    assert [row.id for row in token_rows(db)] == [anna_id]
    as_keeper = ("--as", "keeper", "--password-stdin")
    keeper = run(db, "user", "tokens", "revoke", "anna", "--all", *as_keeper, password=KEEPER)
    assert "Tokens revoked: 1" in ok(keeper)
    assert token_rows(db) == []

    for wrong in (["anna"], ["anna", "1", "--all"]):
        assert run(db, "user", "tokens", "revoke", *wrong).exit_code == 2


# --- the audit log -------------------------------------------------------------------------


def test_audit_rows_of_cli_changes_carry_the_os_user_and_host(db, people):
    origin = (getpass.getuser(), socket.gethostname())
    vera = ("vera", "--name", "Vera", "--role", "manager", "--password-stdin")
    ok(run(db, "user", "add", *vera, password="Vera-pass-4"))
    add = ("client", "add", "--name", "Лютик", "--as", "anna", "--password-stdin")
    ok(run(db, *add, password=PASSWORD))
    columns = (AuditEntry.user_id, AuditEntry.object_kind, AuditEntry.os_user, AuditEntry.os_host)
    with db.reader() as s:
        rows = s.execute(sql_select(*columns).order_by(AuditEntry.id.desc()).limit(2)).all()
    (anna_id, kind, *anna_origin), (system_id, user_kind, *system_origin) = rows
    assert (anna_id, kind, tuple(anna_origin)) == (people["anna"], "company", origin)
    assert (system_id, user_kind, tuple(system_origin)) == (None, "user", origin)
    # a service call outside the CLI has no OS user
    C.create_company(context_for(db, "anna"), CompanyInput(name="Астра"))

    records = json.loads(ok(run(db, "audit", "list", "--object", "company", "--json")))
    assert [(r["user_login"], r["os_user"], r["os_host"]) for r in records[:2]] == [
        ("anna", None, None),
        ("anna", *origin),
    ]
    assert f"{origin[0]}@{origin[1]}" in ok(run(db, "audit", "list", "--object", "user"))


# --- a password typed on a terminal ----------------------------------------------------------


def _read_until(fd: int, wanted: bytes, seen: bytearray, seconds: float = 60) -> bool:
    """Read ``fd`` into ``seen`` until ``wanted`` appears (True) or it ends (False)."""
    deadline = time.monotonic() + seconds
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {wanted!r} in {bytes(seen)!r}")
        ready, _w, _x = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            return False
        if not chunk:
            return False
        seen.extend(chunk)
    return True


def test_the_password_is_asked_on_a_terminal_without_echo(db, people, state_dir):
    """A real ``qstui`` on a pseudo-terminal: it asks anna's password with the echo
    off, and acts as her once it is typed."""
    pty = pytest.importorskip("pty")
    termios = pytest.importorskip("termios")
    url = db.url.render_as_string(hide_password=False)
    env = dict(os.environ, QSTUI_LANG="en", QSTUI_STATE_DIR=str(state_dir))
    args = [sys.executable, "-m", "qstui", "--db", url, "client", "list", "--json", "--as", "anna"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: qstui with the terminal as stdin, stdout and stderr
        try:
            os.execve(sys.executable, args, env)
        finally:
            os._exit(127)
    seen = bytearray()
    status = None
    try:
        assert _read_until(fd, b"Password of anna:", seen)
        deadline = time.monotonic() + 30
        while termios.tcgetattr(fd)[3] & termios.ECHO:  # the prompt turns the echo off
            assert time.monotonic() < deadline, "the echo stayed on"
            time.sleep(0.01)
        asked = len(seen)
        os.write(fd, PASSWORD.encode() + b"\n")
        _read_until(fd, b"\x00never", seen)
        status = os.waitpid(pid, 0)[1]
    finally:
        if status is None:  # a failed check: the child may still wait for input
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    answer = seen[asked:].decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode("utf-8", "replace")
    assert PASSWORD not in seen.decode("utf-8", "replace")
    assert '"name": "Ромашка"' in answer and "Василёк" not in answer
