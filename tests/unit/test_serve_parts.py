"""The parts of ``qstui serve`` that need no server: the session slots and their one-time
tickets, the origins a page may have, and the credentials handed to a session's process
through a pipe (a real pipe and a real child process)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from qstui.serve import handoff
from qstui.serve.handoff import Credentials
from qstui.serve.origins import Origins, base_url, origin_of
from qstui.serve.sessions import Sessions

ANNA = Credentials("anna", "s3cret-pass")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- session slots and tickets ------------------------------------------------------------


def test_a_ticket_serves_once_and_holds_its_slot_until_the_session_ends():
    sessions = Sessions(limit=2, clock=Clock())
    first, second = sessions.reserve(ANNA), sessions.reserve(ANNA)
    assert first and second and first != second and len(first) >= 43
    assert sessions.full() and sessions.reserve(ANNA) is None  # reserved slots count
    assert sessions.claim("no-such-ticket") is None
    assert sessions.claim(first) == ANNA
    assert sessions.claim(first) is None  # used up
    assert (sessions.running, sessions.used) == (1, 2)
    sessions.release()
    assert sessions.used == 1 and not sessions.full()
    assert sessions.reserve(ANNA) is not None


def test_an_unclaimed_ticket_expires_and_frees_its_slot():
    clock = Clock()
    sessions = Sessions(limit=1, ticket_seconds=60, clock=clock)
    ticket = sessions.reserve(ANNA)
    assert ticket and sessions.full()
    clock.now += 59.9
    assert sessions.full()
    clock.now += 0.1
    assert not sessions.full()
    assert sessions.claim(ticket) is None and sessions.running == 0


def test_the_password_is_not_in_the_repr_of_credentials():
    assert "s3cret" not in repr(ANNA) and "anna" in repr(ANNA)


# --- origins --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://CRM.example.com/", "https://crm.example.com"),
        ("https://crm.example.com:443/crm", "https://crm.example.com"),
        ("http://crm.example.com:80", "http://crm.example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_origin_of_an_address(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", ["crm.example.com", "ftp://crm", "http://", "http://h:port", ""])
def test_what_is_not_a_web_address(url):
    with pytest.raises(ValueError):
        origin_of(url)


def test_base_url():
    assert base_url("http", "127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert base_url("https", "crm.example.com", 443) == "https://crm.example.com"
    assert base_url("http", "::1", 8000) == "http://[::1]:8000"


def test_only_the_allowed_origins_are_accepted():
    origins = Origins(["https://crm.example.com", "http://10.0.0.5:8000"])
    assert origins.accepts("https://crm.example.com")
    assert origins.accepts("https://crm.example.com:443")
    assert origins.accepts("http://10.0.0.5:8000")
    for foreign in (
        None,
        "",
        "null",
        "http://crm.example.com",  # another scheme is another origin
        "https://crm.example.com:8443",
        "https://crm.example.com.evil.example",
        "https://evil.example",
        "http://10.0.0.5:8001",
        "not a url",
    ):
        assert not origins.accepts(foreign), foreign


# --- credentials through a pipe -----------------------------------------------------------


CHILD = (
    "from qstui.serve import handoff\n"
    "import os\n"
    "c = handoff.receive()\n"
    "print(c.login, c.password, handoff.ENV in os.environ)\n"
)


def test_credentials_reach_a_child_through_a_pipe_and_nowhere_else():
    read_end = handoff.pipe_with(ANNA)
    try:
        env = dict(os.environ, **{handoff.ENV: str(read_end)})
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=env,
            pass_fds=(read_end,),
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(read_end)
    cmdline = (f"/proc/{child.pid}/cmdline", f"/proc/{child.pid}/environ")
    shown = []
    for name in cmdline:
        try:
            with open(name, "rb") as fh:
                shown.append(fh.read().decode(errors="replace"))
        except OSError:  # already gone
            pass
    out, _err = child.communicate(timeout=60)
    assert out.split() == ["anna", "s3cret-pass", "False"]
    assert all("s3cret" not in text for text in shown)


def test_nothing_handed_over_is_no_credentials(monkeypatch):
    monkeypatch.delenv(handoff.ENV, raising=False)
    assert handoff.receive() is None


@pytest.mark.parametrize(
    "content", [b"", b"not json", b'{"login": "anna"}', b"[1, 2]", b"x" * 20000]
)
def test_unreadable_credentials_are_none(content):
    read_end, write_end = os.pipe()
    os.write(write_end, content[:60000])
    os.close(write_end)
    pipe = os.fstat(read_end)
    env = {handoff.ENV: str(read_end)}
    assert handoff.receive(env) is None
    assert env == {}
    # closed: the number is free, or another thread of the test run has reused it for a
    # file of its own by now — not the pipe
    try:
        now = os.fstat(read_end)
    except OSError:
        return
    assert (now.st_dev, now.st_ino) != (pipe.st_dev, pipe.st_ino)


def test_a_bad_descriptor_is_no_credentials():
    assert handoff.receive({handoff.ENV: "nine"}) is None
    assert handoff.receive({handoff.ENV: "987654"}) is None
