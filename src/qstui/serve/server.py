"""The web server of ``qstui serve``: a login page, then one terminal session per login.

What a browser does:

1. ``GET /`` — the login form, served by this process (no application process yet).
2. ``POST /login`` — the server checks the login and password with ``auth.login`` (the
   same check, failure counting and lockout as the login screen), reserves a session
   slot and answers with the terminal page, whose websocket address holds a one-time
   ticket (``serve.sessions``).
3. ``GET /ws/<ticket>`` — the websocket claims the ticket and only then starts the
   session's ``qstui`` process, which logs in with the credentials handed to it through
   a pipe (``serve.handoff``) and opens on the user's start screen.

Every websocket and every form post must come from an allowed page (``Origin``,
``serve.origins``); any request carrying a foreign ``Origin`` is refused with 403. At
most ``max_sessions`` sessions run or wait for their websocket; a session without input
for ``idle_seconds`` is closed and its process ended; so is every session when the
server stops.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import ssl
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import partial
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.server import Server, to_int

from qstui.db.engine import Database
from qstui.domain.errors import LoginFailed, ServiceError
from qstui.i18n import _, language
from qstui.serve.handoff import Credentials
from qstui.serve.origins import Origins
from qstui.serve.session_process import SessionProcess
from qstui.serve.sessions import Sessions
from qstui.services.access import auth
from qstui.services.errors import describe

log = logging.getLogger("qstui.serve")

TEMPLATES = Path(__file__).parent / "templates"
LOGINS_AT_ONCE = 2  # password checks at a time: argon2 is meant to be costly
LOGIN_MAX = 60
PASSWORD_MAX = 1000
MAX_REQUEST = 64 * 1024  # bytes of a request body: a login form is far smaller
HEARTBEAT = 15.0  # seconds between websocket pings: a vanished browser is noticed
MIN_CELLS, MAX_CELLS = 10, 1000  # a terminal's width or height, in cells
IDLE_CLOSE = 4000  # websocket close code of a session ended for lack of input
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",  # no page of another site shows ours in a frame
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class QstuiServer(Server):
    def __init__(
        self,
        *,
        db: Database,
        host: str,
        port: int,
        public_url: str,
        origins: Origins,
        max_sessions: int,
        idle_seconds: float,
        child_environment: Mapping[str, str],
        ssl_context: ssl.SSLContext | None = None,
        trusted_proxies: frozenset[str] = frozenset(),
    ) -> None:
        self.argv = [sys.executable, "-m", "qstui"]
        super().__init__(" ".join(self.argv), host=host, port=port, title="qstui")
        self.public_url = public_url.rstrip("/")
        self.db = db
        self.origins = origins
        self.sessions = Sessions(max_sessions)
        self.idle_seconds = idle_seconds
        self.child_environment = dict(child_environment)
        self.ssl_context = ssl_context
        self.trusted_proxies = trusted_proxies
        self._logins: asyncio.Semaphore | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._tasks: set[asyncio.Task[object]] = set()  # kept until done (asyncio's advice)

    # --- the web application -------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_REQUEST)
        aiohttp_jinja2.setup(
            app,
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(TEMPLATES), jinja2.FileSystemLoader(self.templates_path)]
            ),
            autoescape=True,
        )
        app.add_routes(
            [
                web.get("/", self.login_page),
                web.get("/login", self.login_page),
                web.post("/login", self.login),
                web.get("/ws", self.session),
                web.get("/ws/{ticket}", self.session),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self._close_sessions)
        return app

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT or SIGTERM (then every session is closed)."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._logins = asyncio.Semaphore(LOGINS_AT_ONCE)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            ssl_context=self.ssl_context,
            access_log=None,
            shutdown_timeout=10.0,
            loop=loop,
            print=lambda *args: None,
        )

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner here; the command has said where it listens."""

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The ``Origin`` check and the headers that keep the pages out of frames."""
        origin = request.headers.get("Origin")
        must_have = request.method != "GET" or request.path.startswith("/ws")
        if (origin is not None or must_have) and not self.origins.accepts(origin):
            log.warning("refused %s %s from origin %r", request.method, _route(request), origin)
            raise web.HTTPForbidden(
                text=_("Refused: this page of {origin} may not use qstui at {url}").format(
                    origin=origin or "?", url=self.public_url
                )
            )
        response = await handler(request)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        return response

    # --- logging in ----------------------------------------------------------------

    async def login_page(self, request: web.Request) -> web.Response:
        if self.sessions.full():
            return self._form(request, self._full_message(), status=503)
        return self._form(request)

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        login = str(form.get("login", "")).strip()
        password = str(form.get("password", ""))
        if not login:
            return self._form(request, _("Enter your login"), status=400)
        if self.sessions.full():
            return self._form(request, self._full_message(), login, status=503)
        try:
            if len(login) > LOGIN_MAX or len(password) > PASSWORD_MAX:
                raise LoginFailed()
            assert self._logins is not None
            async with self._logins:
                loop = asyncio.get_running_loop()
                check = partial(auth.login, source=web_source(request, self.trusted_proxies))
                ctx = await loop.run_in_executor(None, check, self.db, login, password)
            if ctx.db is not self.db:  # a per-user Firebird login's own connection
                ctx.db.dispose()
        except ServiceError as exc:
            log.info("web login of %r refused: %s", login[:LOGIN_MAX], type(exc).__name__)
            return self._form(request, str(exc), login, status=401)
        except Exception as exc:
            describe(exc)  # logs it with its traceback
            return self._form(
                request, _("The login could not be checked: see the server's log"), login, 500
            )
        ticket = self.sessions.reserve(Credentials(login, password))
        if ticket is None:
            return self._form(request, self._full_message(), login, status=503)
        log.info("web login of %r", login)
        return self._terminal_page(request, ticket)

    def _form(
        self, request: web.Request, error: str = "", login: str = "", status: int = 200
    ) -> web.Response:
        texts = {"login": _("Login"), "password": _("Password"), "submit": _("Log in")}
        context = {"lang": language(), "texts": texts, "login": login, "error": error}
        response = aiohttp_jinja2.render_template("login.html", request, context, status=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def _full_message(self) -> str:
        return _(
            "Every session of this server is in use ({count} at most): try again later"
        ).format(count=self.sessions.limit)

    def _terminal_page(self, request: web.Request, ticket: str) -> web.Response:
        """textual-serve's page, its websocket address holding the ticket."""
        websocket_base = "ws" + self.public_url.removeprefix("http")  # https → wss
        context = {
            "font_size": 16,
            "app_websocket_url": f"{websocket_base}/ws/{ticket}",
            "config": {"static": {"url": f"{self.public_url}/static/"}},
            "application": {"name": "qstui"},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"  # the ticket stays out of caches
        return response

    # --- sessions ------------------------------------------------------------------

    async def session(self, request: web.Request) -> web.StreamResponse:
        credentials = self.sessions.claim(request.match_info.get("ticket", ""))
        if credentials is None:
            raise web.HTTPForbidden(
                text=_("No session without logging in: open {url} and log in").format(
                    url=self.public_url
                )
            )
        try:
            return await self._run_session(request, credentials)
        finally:
            self.sessions.release()

    async def _run_session(
        self, request: web.Request, credentials: Credentials
    ) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        await websocket.prepare(request)
        self._sockets.add(websocket)
        process = SessionProcess(
            self.argv,
            self.child_environment,
            credentials,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        try:
            await process.start(*_size(request.query.get("width"), request.query.get("height")))
            log.info("session of %r started: process %s", credentials.login, process.pid)
            assert process.task is not None
            # the application quit or died: the browser is told at once
            process.task.add_done_callback(lambda _task: self._later(websocket.close()))
            if await self._relay(websocket, process):
                log.info("session of %r closed: no input for a while", credentials.login)
                await websocket.close(code=IDLE_CLOSE, message=b"idle")
        except Exception:
            log.exception("session of %r failed", credentials.login)
        finally:
            await process.end()
            self._sockets.discard(websocket)
            if not websocket.closed:
                await websocket.close()
            log.info("session of %r ended", credentials.login)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, process: SessionProcess) -> bool:
        """Pass the browser's messages to the process until the websocket closes (False)
        or nothing was typed for ``idle_seconds`` (True). Pings and resizes are not
        input: an open but abandoned tab is idle."""
        loop = asyncio.get_running_loop()
        last_input = loop.time()
        while True:
            left = last_input + self.idle_seconds - loop.time()
            if left <= 0:
                return True
            try:
                message = await websocket.receive(timeout=left)
            except TimeoutError:
                continue
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return False
            if message.type == WSMsgType.ERROR:
                return False
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = json.loads(message.data)[:2]
            except (ValueError, TypeError):
                continue
            if kind == "stdin":
                last_input = loop.time()
                await process.send_bytes(str(data).encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await process.set_terminal_size(*_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await process.blur()
            elif kind == "focus":
                await process.focus()

    def _later(self, job: Coroutine[object, object, object]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close_sessions(self, app: web.Application) -> None:
        """On shutdown: close every websocket, which ends its session's process."""
        for websocket in list(self._sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


def web_source(request: web.Request, trusted_proxies: frozenset[str] = frozenset()) -> str:
    """Where a web login comes from, for an administrator's per-source delay
    (``auth``): the browser's address as the server sees it — or, for a request from a
    trusted reverse proxy (``--trusted-proxy``), the address that proxy put last in
    ``X-Forwarded-For`` (the one it saw; what a browser wrote before it is not taken).
    Without it, behind a proxy every browser would share the proxy's one delay."""
    remote = request.remote or "?"
    if remote in trusted_proxies:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        last = ",".join(forwarded).split(",")[-1].strip()
        try:
            return f"web {ipaddress.ip_address(last)}"
        except ValueError:
            pass  # no usable address: the proxy's own
    return f"web {remote}"


def _size(width: object, height: object) -> tuple[int, int]:
    """A terminal size from what a browser sent, within sane bounds."""

    def bounded(value: object, default: int) -> int:
        return min(max(to_int(str(value), default), MIN_CELLS), MAX_CELLS)

    return bounded(width, 80), bounded(height, 24)


def _route(request: web.Request) -> str:
    """The path of a request, without a session ticket (logs never hold one)."""
    return "/ws/…" if request.path.startswith("/ws/") else request.path


def with_tls(certfile: Path, keyfile: Path | None) -> ssl.SSLContext:
    """A server TLS context (TLS 1.2 or later) with the certificate chain and its key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context


__all__ = ["IDLE_CLOSE", "QstuiServer", "with_tls"]
