"""``qstui serve`` (X3, issue 10 "qstui serve hardened"): the application in a browser
tab, behind a login the server checks before it starts any process.

The server is started as a real process on a free loopback port; the tests do what a
browser does — read the login page, post the form, open the websocket of the page they
get back — and watch the processes the server starts in /proc. No terminal is needed
(CI runs as root without one). What they show:

- no process before a login: the login page, a wrong password, a reserved slot and a
  websocket without a valid ticket start nothing; a ticket serves once;
- the session's process logs in by itself, and no command line (what ``ps`` shows every
  user) holds the database URL or a password; the URL is in its environment;
- a page of a foreign origin can neither post the login form nor open a websocket (403);
- ``--max-sessions`` caps the processes, logins beyond it are refused with a message;
- ``--idle-minutes``: a session nobody typed in is closed and its process ended;
- TLS with a self-signed certificate made by the test (https, wss);
- bad options end in one line; no help text or README example puts a password on a
  command line.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import LoginDelay
from qstui.domain.enums import Role
from qstui.serve.server import IDLE_CLOSE
from qstui.services.access.users import create_user, lock_user, unlock_user
from qstui.services.context import Context

START_TIMEOUT = 60.0  # seconds for the server to answer (a cold start imports a lot)
APP_TIMEOUT = 60.0  # seconds for a session's qstui process to draw its first screen
GONE_TIMEOUT = 20.0  # seconds for a session's process to end once its session is over
LOGIN, FULL_NAME, PASSWORD = "ivanov", "Ivan Ivanov", "Verbena-42-ok"
README = Path(__file__).resolve().parents[2] / "README.md"
# terminal control sequences (CSI, OSC, charset) between the characters drawn
ANSI = re.compile(r"\x1b(?:\[[0-9;?$]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z])")
# a URL that holds a password: scheme://user:password@
URL_WITH_PASSWORD = re.compile(r"\b[a-z][a-z0-9+]*://[^\s/@:]+:[^\s@/]+@")
HARMLESS_KEY = "\x1b[24;5~"  # ctrl+F12: bound to nothing, but input all the same


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


def drawn_text(received: bytes) -> str:
    """What the terminal stream drew, without its control sequences."""
    return ANSI.sub("", received.decode(errors="replace"))


@dataclass
class Served:
    """A running ``qstui serve``."""

    process: subprocess.Popen[bytes]
    port: int
    url: str  # the address a browser opens, also the origin of its pages
    log: Path
    tls: ssl.SSLContext | None = None  # what a client trusts, for https

    def sessions(self) -> list[int]:
        """The processes the server has started (sessions' qstui processes)."""
        return children(self.process.pid)

    def wait_for_sessions(self, count: int, timeout: float = GONE_TIMEOUT) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(found := self.sessions()) != count:
            assert time.monotonic() < deadline, f"{len(found)} session processes, not {count}"
            time.sleep(0.1)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(15)
        try:  # a session's qstui that outlived the server
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def user(db: Database) -> str:
    create_user(Context.system(db), LOGIN, FULL_NAME, Role.MANAGER, PASSWORD)
    return LOGIN


@pytest.fixture
def serve(db: Database, backend: str, user: str, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve(*options, tls=None)`` starts ``qstui serve`` on a free port, with the
    database of the test. On SQLite the URL is given with ``--db``; on Firebird (a URL
    with a password) through ``QSTUI_DB``, as the README says an administrator should."""
    started: list[Served] = []

    def start(*options: str, tls: ssl.SSLContext | None = None) -> Served:
        url = db.url.render_as_string(hide_password=False)
        port = free_port()
        env = dict(os.environ, QSTUI_LANG="en")
        args = [sys.executable, "-m", "qstui"]
        if backend == "sqlite":
            args += ["--db", url]
            env.pop("QSTUI_DB", None)
        else:
            env["QSTUI_DB"] = url
        args += ["serve", "--host", "127.0.0.1", "--port", str(port), *options]
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: stopped with its children
            )
        scheme = "https" if tls is not None else "http"
        served = Served(process, port, f"{scheme}://127.0.0.1:{port}", log, tls)
        started.append(served)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return served
            except OSError:
                assert time.monotonic() < deadline, "qstui serve did not answer in time"
                time.sleep(0.2)

    yield start
    for served in started:
        served.stop()


# --- what a browser does ----------------------------------------------------------------


def client(served: Served) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=served.tls or True))


async def log_in(
    http: aiohttp.ClientSession,
    served: Served,
    password: str = PASSWORD,
    origin: str | None = "",
) -> tuple[int, str]:
    """Post the login form as the page of ``origin`` (default: the server's own; None:
    no Origin header). Returns the status and the page."""
    headers = {} if origin is None else {"Origin": origin or served.url}
    form = {"login": LOGIN, "password": password}
    async with http.post(f"{served.url}/login", data=form, headers=headers) as response:
        return response.status, await response.text()


OUTSIDE = re.compile(r"(?:https?:)?//[\w.-]+")


async def nothing_from_outside(http: aiohttp.ClientSession, served: Served, page: str) -> None:
    """The page, and every style sheet, script and font it loads, name no other site:
    an office network without Internet access gets all of it from qstui (issue 14)."""
    linked = re.findall(r'(?:href|src|url\()="?([^"\)]+)', page)
    assert linked
    for url in linked:
        assert url.startswith(served.url + "/"), url
        async with http.get(url) as response:
            assert response.status == 200, url
            body = await response.read()
        if url.endswith((".css", ".js")):
            text = re.sub(r"/\*.*?\*/", "", body.decode("utf-8", "replace"), flags=re.DOTALL)
            outside = [m for m in OUTSIDE.findall(text) if not m.endswith("www.w3.org")]
            assert outside == [], (url, outside)


def websocket_url(page: str) -> str:
    found = re.search(r'data-session-websocket-url="([^"]+)"', page)
    assert found, page
    return found.group(1)


def alert(page: str) -> str:
    """The message the login form shows."""
    found = re.search(r'role="alert">([^<]*)<', page)
    assert found, page
    return found.group(1)


async def refused(
    http: aiohttp.ClientSession, url: str, origin: str | None, status: int = 403
) -> None:
    """Opening the websocket ``url`` as the page of ``origin`` is refused with ``status``
    before it becomes a websocket."""
    headers = {} if origin is None else {"Origin": origin}
    with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
        async with http.ws_connect(f"{url}?width=80&height=24", headers=headers):
            pass
    assert raised.value.status == status


async def read_until(ws: aiohttp.ClientWebSocketResponse, marker: str, received: bytes) -> bytes:
    """Read the session until ``marker`` is drawn on one line."""
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
    return received


async def until_closed(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """Read the session until the server closes it; returns the closing message."""
    deadline = time.monotonic() + APP_TIMEOUT
    while True:
        msg = await ws.receive(timeout=max(deadline - time.monotonic(), 0.01))
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return msg


def open_session(http: aiohttp.ClientSession, served: Served, url: str, width: int = 100):
    return http.ws_connect(
        f"{url}?width={width}&height=30", headers={"Origin": served.url}, heartbeat=None
    )


# --- no process before a login; no secret on a command line --------------------------------


async def test_a_session_starts_after_the_login_and_keeps_secrets_off_command_lines(
    serve, db, backend
):
    served = serve()
    url = db.url.render_as_string(hide_password=False)
    async with client(served) as http:
        async with http.get(f"{served.url}/") as response:
            assert response.status == 200
            page = await response.text()
            assert response.headers["X-Frame-Options"] == "DENY"
        assert 'name="password"' in page and "data-session-websocket-url" not in page
        await refused(http, f"ws://127.0.0.1:{served.port}/ws", served.url)
        await refused(http, f"ws://127.0.0.1:{served.port}/ws/{'x' * 43}", served.url)
        status, page = await log_in(http, served, password="wrong")
        assert (status, alert(page)) == (401, "Wrong login or password")
        assert served.sessions() == []

        status, page = await log_in(http, served)
        assert status == 200
        assert "<div>qstui</div>" in page and "textual.js" in page
        # nothing is loaded from another site (fonts, scripts): the page's own server only
        await nothing_from_outside(http, served, page)
        ws_url = websocket_url(page)
        assert re.fullmatch(rf"ws://127\.0\.0\.1:{served.port}/ws/[\w-]{{43}}", ws_url)
        assert served.sessions() == []  # a slot is reserved, nothing is started yet

        # the session's process logs in by itself: the user's start screen, with the
        # user's name in the title; no login screen is left to fill
        async with open_session(http, served, ws_url) as ws:
            await read_until(ws, FULL_NAME, b"")
            started = served.sessions()
            assert len(started) == 1, [proc_text(pid, "cmdline") for pid in started]
            (app,) = started
            assert proc_text(app, "cmdline").split() == [sys.executable, "-m", "qstui"]
            assert PASSWORD not in proc_text(app, "environ")  # it came through a pipe
            assert f"QSTUI_DB={url}" in proc_text(app, "environ")
            assert url not in proc_text(app, "cmdline")  # (on SQLite the test gave --db)
            # what ``ps`` shows of the server and its session (other processes of the
            # machine are not the test's: a benchmark may well show a password)
            shown = " ".join(proc_text(pid, "cmdline") for pid in [served.process.pid, app])
            assert PASSWORD not in shown and "--user" not in shown
            if backend == "firebird":
                assert db.url.password and db.url.password not in shown
            # the ticket served once: a second websocket with it is refused
            await refused(http, ws_url, served.url)
            assert served.sessions() == [app]

    # the session's process ends with its websocket; the server runs on
    served.wait_for_sessions(0)
    assert served.process.poll() is None

    # the server stops on SIGTERM, and its sessions with it
    async with client(served) as http:
        _status, page = await log_in(http, served)
        async with open_session(http, served, websocket_url(page)) as ws:
            await read_until(ws, FULL_NAME, b"")
            (app,) = served.sessions()
            os.killpg(served.process.pid, signal.SIGTERM)
            assert served.process.wait(20) is not None
    for _attempt in range(100):
        if not proc_text(app, "cmdline"):
            break
        time.sleep(0.1)
    assert proc_text(app, "cmdline") == ""


# --- Origin ----------------------------------------------------------------------------------


@pytest.mark.one_backend
async def test_a_page_of_a_foreign_origin_is_refused(serve):
    served = serve("--allow-origin", "http://crm.example:8000")
    foreign = "http://evil.example"
    async with client(served) as http:
        for origin in (foreign, None, "null", f"https://127.0.0.1:{served.port}"):
            status, page = await log_in(http, served, origin=origin)
            assert status == 403, (origin, page)
            assert page.startswith("Refused: this page of "), page
        async with http.get(f"{served.url}/", headers={"Origin": foreign}) as response:
            assert response.status == 403
        # an allowed other origin may post the form (here with a wrong password)
        status, page = await log_in(
            http, served, password="wrong", origin="http://crm.example:8000"
        )
        assert (status, alert(page)) == (401, "Wrong login or password")

        status, page = await log_in(http, served)
        assert status == 200
        ws_url = websocket_url(page)
        await refused(http, ws_url, foreign)
        await refused(http, ws_url, None)
        assert served.sessions() == []
        # the refusals did not spend the ticket: the server's own page opens its session
        async with open_session(http, served, ws_url) as ws:
            await read_until(ws, FULL_NAME, b"")
            assert len(served.sessions()) == 1


async def test_a_locked_user_is_refused_and_gets_no_process(serve, db):
    served = serve()
    lock_user(Context.system(db), LOGIN)
    async with client(served) as http:
        # until the password is right a locked login answers as an unknown one does
        status, page = await log_in(http, served, password="wrong")
        assert (status, alert(page)) == (401, "Wrong login or password")
        status, page = await log_in(http, served)
        assert (status, alert(page)) == (401, "The account is locked by an administrator")
        assert "data-session-websocket-url" not in page and served.sessions() == []
        unlock_user(Context.system(db), LOGIN)
        status, page = await log_in(http, served)
        assert status == 200 and "data-session-websocket-url" in page


async def test_an_administrators_web_logins_are_delayed_per_browser_address(serve, db):
    """A wrong password on the web page counts against the browser's address (the
    server's own source would make every browser share one delay)."""
    create_user(Context.system(db), "boss", "The Boss", Role.ADMIN, PASSWORD)
    served = serve()
    async with client(served) as http:
        form = {"login": "boss", "password": "wrong"}
        headers = {"Origin": served.url}
        async with http.post(f"{served.url}/login", data=form, headers=headers) as response:
            assert response.status == 401
    with db.reader() as s:
        sources = s.scalars(select(LoginDelay.source)).all()
    assert sources == ["web 127.0.0.1"]


async def test_behind_a_trusted_proxy_each_browser_has_its_own_delay(serve, db):
    """From a --trusted-proxy the browser's address is the last X-Forwarded-For entry
    (what the proxy saw), not what the browser wrote before it; from any other address
    the header is ignored."""
    create_user(Context.system(db), "boss", "The Boss", Role.ADMIN, PASSWORD)
    behind = serve("--trusted-proxy", "127.0.0.1")
    direct = serve()
    form = {"login": "boss", "password": "wrong"}
    for served, forwarded in (
        (behind, "10.0.0.1"),
        (behind, "6.6.6.6, 10.0.0.2"),  # a browser's own entry first: not taken
        (behind, "not an address"),
        (direct, "10.0.0.3"),
    ):
        async with client(served) as http:
            headers = {"Origin": served.url, "X-Forwarded-For": forwarded}
            async with http.post(f"{served.url}/login", data=form, headers=headers) as response:
                assert response.status == 401
    with db.reader() as s:
        sources = set(s.scalars(select(LoginDelay.source)))
    assert sources == {"web 10.0.0.1", "web 10.0.0.2", "web 127.0.0.1"}


def test_a_trusted_proxy_must_be_an_ip_address(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.db"), "serve", "--trusted-proxy", "proxy.example"]
    )
    assert result.exit_code == 2
    assert "Not an IP address for --trusted-proxy: proxy.example" in result.output


# --- the session cap -------------------------------------------------------------------------


@pytest.mark.one_backend
async def test_max_sessions_caps_the_processes(serve):
    served = serve("--max-sessions", "2")
    async with client(served) as http:
        pages = [await log_in(http, served) for _ in range(2)]
        assert [status for status, _page in pages] == [200, 200]
        # two reserved slots: the third login is refused before its password is checked
        status, page = await log_in(http, served)
        assert status == 503
        assert alert(page) == "Every session of this server is in use (2 at most): try again later"
        async with http.get(f"{served.url}/") as response:
            assert response.status == 503
        assert served.sessions() == []

        async with AsyncExitStack() as stack:
            first, second = [
                await stack.enter_async_context(open_session(http, served, websocket_url(page)))
                for _status, page in pages
            ]
            await read_until(first, FULL_NAME, b"")
            await read_until(second, FULL_NAME, b"")
            assert len(served.sessions()) == 2
            # websockets without a ticket of their own start nothing, however many
            for _ in range(10):
                ticket = secrets.token_urlsafe(32)
                await refused(http, f"ws://127.0.0.1:{served.port}/ws/{ticket}", served.url)
            assert (await log_in(http, served))[0] == 503
            assert len(served.sessions()) == 2

            # a user quits the application (ctrl+q): the server closes that session's
            # websocket, the process is gone and its slot free again
            await first.send_json(["stdin", "\x11"])
            await until_closed(first)
            served.wait_for_sessions(1)
            status, page = await log_in(http, served)
            assert status == 200, alert(page)


# --- idle sessions ---------------------------------------------------------------------------


@pytest.mark.one_backend
async def test_a_session_without_input_is_closed(serve):
    idle = 8.0  # seconds
    served = serve("--idle-minutes", str(idle / 60))
    async with client(served) as http:
        _status, page = await log_in(http, served)
        async with open_session(http, served, websocket_url(page)) as ws:
            # typing keeps the session open while the application starts
            received, last_input = b"", 0.0
            deadline = time.monotonic() + APP_TIMEOUT
            while FULL_NAME not in drawn_text(received):
                assert time.monotonic() < deadline, received[-500:]
                if time.monotonic() - last_input > idle / 3:
                    await ws.send_json(["stdin", HARMLESS_KEY])
                    last_input = time.monotonic()
                try:
                    msg = await ws.receive(timeout=1)
                except TimeoutError:
                    continue
                assert msg.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), msg
                received += msg.data if isinstance(msg.data, bytes) else msg.data.encode()
            (app,) = served.sessions()
            # then nobody types; the pings and resizes of a tab left open are no input
            pinged = False
            while True:
                assert time.monotonic() - last_input < idle + 30, "the session was not closed"
                if not pinged and time.monotonic() - last_input > idle * 0.6:
                    await ws.send_json(["ping", "1"])
                    await ws.send_json(["resize", {"width": 90, "height": 30}])
                    pinged = True
                try:
                    msg = await ws.receive(timeout=0.5)
                except TimeoutError:
                    continue
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
            closed_after = time.monotonic() - last_input
            assert pinged and (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, IDLE_CLOSE)
            # `idle` after the last key, not after the ping (which came at 0.6 × idle)
            assert idle - 0.5 <= closed_after < idle * 1.5
    served.wait_for_sessions(0)
    assert proc_text(app, "cmdline") == ""


# --- TLS -------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.one_backend
async def test_tls_with_a_self_signed_certificate(serve, tmp_path):
    cert, key = self_signed(tmp_path)
    trusting = ssl.create_default_context(cafile=str(cert))
    served = serve("--certfile", str(cert), "--keyfile", str(key), tls=trusting)
    assert served.url.startswith("https://")
    async with client(served) as http:
        async with http.get(f"{served.url}/") as response:
            assert response.status == 200
            assert 'name="password"' in await response.text()
        status, page = await log_in(http, served)
        assert status == 200
        ws_url = websocket_url(page)
        assert ws_url.startswith(f"wss://127.0.0.1:{served.port}/ws/")
        async with open_session(http, served, ws_url) as ws:
            await read_until(ws, FULL_NAME, b"")
            assert len(served.sessions()) == 1
    # it is TLS: plain http gets no page, and a client that does not trust the
    # certificate refuses it
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{served.port}/") as response:
                await response.text()
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            async with http.get(f"{served.url}/") as response:
                await response.text()


# --- options and examples --------------------------------------------------------------------


@pytest.mark.one_backend
@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (["--host", "0.0.0.0"], 2, "listens on every address: give --public-url"),
        (["--keyfile", "{text}"], 2, "--keyfile needs --certfile"),
        (["--public-url", "ftp://crm"], 2, "Not a web address"),
        (["--allow-origin", "crm.example"], 2, "Not a web address"),
        (["--certfile", "{text}"], 1, "Cannot use the certificate"),
        (["--max-sessions", "0"], 2, "--max-sessions"),
        (["--idle-minutes", "0"], 2, "--idle-minutes"),
    ],
)
def test_bad_options_end_in_one_message(tmp_path, options, code, message):
    text = tmp_path / "not-a-certificate.pem"
    text.write_text("hello\n")
    args = [arg.format(text=text) for arg in options]
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    result = CliRunner().invoke(cli, ["--db", db, "serve", *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def _help_texts() -> Iterator[tuple[str, str]]:
    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[str, str]]:
        with click.Context(command, info_name=" ".join(path)) as ctx:
            yield " ".join(path), command.get_help(ctx)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    yield from walk(cli, ["qstui"])


@pytest.mark.one_backend
def test_no_example_puts_a_password_on_a_command_line():
    """Help texts and the README show command lines without a password: a URL holding
    one belongs in $QSTUI_DB or the config file (``ps`` shows command lines)."""
    texts = list(_help_texts())
    assert len(texts) > 20 and any("serve" in name for name, _text in texts)
    bad = [
        f"{name}: {line.strip()}"
        for name, text in texts
        for line in text.splitlines()
        if "qstui " in line and URL_WITH_PASSWORD.search(line)
    ]
    for line in README.read_text(encoding="utf-8").splitlines():
        command = line.split("#", 1)[0]
        if re.search(r"(^|\s)qstui\s", command) and URL_WITH_PASSWORD.search(command):
            bad.append(f"README.md: {line.strip()}")
    assert bad == []
