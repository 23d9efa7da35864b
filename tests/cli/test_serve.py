"""``qstui serve`` (X3): the application in a browser tab through textual-serve.

The server is started as a real process on a free port; the test reads its page over
HTTP, opens the websocket a browser opens (which starts one ``qstui`` process for the
session) and checks that the database URL — and a Firebird password — reaches that
process through its environment, never its command line (``ps`` shows command lines to
every user of the machine). Then the server and its children are stopped. No terminal
is needed (CI runs as root without one)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from qstui.db.engine import Database

START_TIMEOUT = 60.0  # seconds for the server to answer (a cold start imports a lot)
APP_TIMEOUT = 60.0  # seconds for the session's qstui process to draw its login screen
# terminal control sequences (CSI, OSC, charset) between the characters drawn
ANSI = re.compile(r"\x1b(?:\[[0-9;?$]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z])")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Every process descended from ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces and parentheses
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent:
                found.append(child)
                frontier.append(child)
    return found


def proc_text(pid: int, name: str) -> str:
    """/proc/<pid>/cmdline or environ as text ("" once the process is gone)."""
    try:
        return (Path("/proc") / str(pid) / name).read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def all_command_lines() -> str:
    """What ``ps -ef`` would show: every process's command line."""
    return "\n".join(
        proc_text(int(p.name), "cmdline") for p in Path("/proc").iterdir() if p.name.isdigit()
    )


@pytest.fixture
def server(db: Database, backend: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """``qstui serve`` on a free port. On SQLite the URL is given with ``--db``; on
    Firebird (a URL with a password) through ``QSTUI_DB``, as an administrator would."""
    url = db.url.render_as_string(hide_password=False)
    port = free_port()
    env = dict(os.environ, QSTUI_LANG="en")
    args = [sys.executable, "-m", "qstui"]
    if backend == "sqlite":
        args += ["--db", url]
        env.pop("QSTUI_DB", None)
    else:
        env["QSTUI_DB"] = url
    args += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: stopped with its children
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "qstui serve did not answer in time"
                time.sleep(0.2)
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)
        try:  # a session's qstui that outlived the server
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def drawn_text(received: bytes) -> str:
    """What the terminal stream drew, without its control sequences."""
    return ANSI.sub("", received.decode(errors="replace"))


async def _session(
    port: int, server_pid: int, marker: str, width: int = 100
) -> tuple[bytes, list[int]]:
    """Open the websocket a browser opens; read until ``marker`` is drawn on one line.
    Returns what was received and the processes the session started (while it is still
    open)."""
    received = b""
    url = f"http://127.0.0.1:{port}/ws?width={width}&height=30"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        deadline = time.monotonic() + APP_TIMEOUT
        while marker not in drawn_text(received):
            left = deadline - time.monotonic()
            assert left > 0, f"the application did not draw {marker!r}: {received[-500:]!r}"
            msg = await ws.receive(timeout=left)
            if msg.type == aiohttp.WSMsgType.BINARY:
                received += msg.data
            elif msg.type == aiohttp.WSMsgType.TEXT:
                received += msg.data.encode()
            else:
                raise AssertionError(f"the session ended: {msg.type} {received[-500:]!r}")
        started = children(server_pid)
        await ws.close()
    return received, started


async def test_serve_shows_the_page_and_keeps_the_url_off_command_lines(server, db, backend):
    process, port = server
    url = db.url.render_as_string(hide_password=False)

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/") as response,
    ):
        assert response.status == 200
        page = await response.text()
    assert "<div>qstui</div>" in page  # the application's name on the page
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
    assert "textual.js" in page

    # a browser session: one qstui process, which opens the database and shows its
    # login screen with the database (password masked) on one line: the window is wide
    # enough for the whole URL
    received, started = await _session(port, process.pid, db.display_url, width=160)
    drawn = drawn_text(received)
    assert started, "the session started no process"
    apps = [pid for pid in started if "qstui" in proc_text(pid, "cmdline")]
    assert apps, [proc_text(pid, "cmdline") for pid in started]
    for pid in started:
        assert url not in proc_text(pid, "cmdline")
        assert "--db" not in proc_text(pid, "cmdline")
    assert any(f"QSTUI_DB={url}" in proc_text(pid, "environ") for pid in apps)
    if backend == "firebird":
        password = db.url.password
        assert password and password not in all_command_lines()
        assert "***" in db.display_url and password not in drawn

    # the server stops on SIGTERM, and its sessions with it
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(15) is not None
    await asyncio.sleep(0)
    left = [pid for pid in started if proc_text(pid, "cmdline")]
    for _attempt in range(50):
        if not left:
            break
        time.sleep(0.1)
        left = [pid for pid in left if proc_text(pid, "cmdline")]
    assert left == []
