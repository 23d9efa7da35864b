"""SIGTERM and SIGINT end a CLI command within 2 s, with one line and exit code 128 + the
signal's number, even while it waits inside the database driver for a server that does
not answer (issue 10: a command writing through a dropped network ignored both for
50 s). On Firebird the command (a real ``qstui`` process) logs an interaction through a
black-hole proxy (``tests.black_hole``): its write waits at the server for a row the
test holds, then the network goes dark, then the signal comes; nothing of its write
reaches the database. On both backends a command waiting for its input (a password on
stdin) stops the same way, and writes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from tests.black_hole import BlackHole
from tests.services.client_support import company as client
from tests.services.client_support import make_team

from qstui.db.engine import Database
from qstui.db.models import AppUser, Company, Event

SIGNALS = pytest.mark.parametrize(
    "number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"]
)
WAIT = 60.0  # seconds to wait for the command to reach its write, or its attachment to go
BOUND = 2.0  # seconds from the signal to the end of the process


def attachment_state(db: Database, pid: int) -> tuple[bool, bool]:
    """(whether process ``pid`` is attached to the server, whether one of its statements
    is writing and still running — waiting for the row lock)."""
    with db.engine.connect() as conn:  # a new transaction: fresh monitoring tables
        attached = conn.scalar(
            text("SELECT COUNT(*) FROM MON$ATTACHMENTS WHERE MON$REMOTE_PID = :pid"), {"pid": pid}
        )
        writing = conn.scalar(
            text(
                "SELECT COUNT(*) FROM MON$STATEMENTS s JOIN MON$ATTACHMENTS a"
                " ON a.MON$ATTACHMENT_ID = s.MON$ATTACHMENT_ID"
                " WHERE a.MON$REMOTE_PID = :pid AND s.MON$STATE = 1"
                " AND (s.MON$SQL_TEXT STARTING WITH 'INSERT'"
                " OR s.MON$SQL_TEXT STARTING WITH 'UPDATE')"
            ),
            {"pid": pid},
        )
    return bool(attached), bool(writing)


def until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)


def events_of(db: Database, company_id: int) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).where(Event.company_id == company_id)) or 0)


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "qstui", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def stop(command: subprocess.Popen[bytes], number: int) -> tuple[int, float, str, bytes]:
    """Send the signal; (exit code, seconds it took to end, stderr, stdout)."""
    signalled = time.monotonic()
    command.send_signal(number)
    try:
        code = command.wait(timeout=30)
    finally:
        if command.poll() is None:
            command.kill()
        out, err = command.communicate()
    return code, time.monotonic() - signalled, err.decode(), out


def assert_stopped_by(number: int, code: int, took: float, err: str, out: bytes) -> None:
    assert took < BOUND, f"{took:.2f} s"
    assert code == 128 + number
    lines = [line for line in err.splitlines() if line.strip()]
    name = signal.Signals(number).name
    assert lines == [f"Interrupted by {name}; an unfinished change was not saved"], err
    assert out == b""


def reading_stdin(pid: int) -> bool:
    """Whether the main thread of ``pid`` waits in read(0, …)."""
    try:
        call = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return call[:2] == ["0", "0x0"]  # the read system call (x86-64), on fd 0


@SIGNALS
def test_a_signal_ends_a_command_waiting_for_its_input(db, backend, number, tmp_path: Path):
    env = dict(
        os.environ,
        QSTUI_DB=db.url.render_as_string(hide_password=False),
        QSTUI_CONFIG=str(tmp_path / "none.toml"),
        QSTUI_LANG="en",
    )
    args = ["user", "add", "ivanov", "--name", "Иванов", "--role", "manager", "--password-stdin"]
    command = start(args, env)
    until(lambda: reading_stdin(command.pid) or command.poll() is not None, "the prompt")
    assert_stopped_by(number, *stop(command, number))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AppUser)) == 0


@pytest.mark.parametrize("backend", ["firebird"], indirect=True)
@SIGNALS
def test_a_signal_ends_a_write_waiting_on_a_dark_network(db, number, tmp_path: Path):
    company_id = client(make_team(db).ivanov, "Ромашка")
    with BlackHole(db.url) as proxy, db.engine.connect() as holder:
        holder.execute(update(Company).where(Company.id == company_id).values(city="Углич"))
        env = dict(
            os.environ,
            QSTUI_DB=proxy.url.render_as_string(hide_password=False),
            QSTUI_CONFIG=str(tmp_path / "none.toml"),
            QSTUI_LANG="en",
            QSTUI_LOCK_TIMEOUT="600",  # the write waits for the row as long as it takes
            QSTUI_SERVER_TIMEOUT="600",  # and the watch does not end it first
        )
        args = ["event", "log", str(company_id), "--type", "call", "--subject", "Звонок"]
        command = start(args, env)
        try:
            until(lambda: attachment_state(db, command.pid)[1], "the command's write")
            proxy.go_dark()
        finally:
            stopped = stop(command, number)
        assert events_of(db, company_id) == 0  # the server still holds its transaction
        holder.rollback()
    # the proxy is closed: the server sees the connection end and rolls the write back
    until(lambda: not attachment_state(db, command.pid)[0], "the attachment to end")
    assert_stopped_by(number, *stopped)
    assert events_of(db, company_id) == 0
    with db.reader() as s:
        assert s.scalar(select(Company.city).where(Company.id == company_id)) is None
