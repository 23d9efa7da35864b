"""The simulator's HTTP server: a published 1C base on ``http://host:port/<base>/odata/
standard.odata/`` (stdlib ``http.server``, a thread per connection, HTTP/1.1 keep-alive —
enough for tests and demos, and nothing to install).

- HTTP Basic auth as the 1C user; anything else is 401.
- ``GET $metadata`` (EDMX); ``GET Set`` with ``$filter``/``$orderby``/``$select``/
  ``$top``/``$skip`` (never an ``odata.nextLink``); ``GET Set(guid'…')``.
- ``POST Set`` → 201 with a percent-encoded ``Location``; ``POST`` to a tabular-section
  set → odata.error 13; ``PATCH Set(guid'…')`` honouring ``If-Match``; ``DELETE``;
  ``POST Set(guid'…')/Post`` and ``/Unpost``.
- A literal ``+`` in ``$filter`` is refused (a client must send ``%20`` for a space).

``Faults`` lets a test make the N-th next request fail: dropped before it is handled,
dropped after a write was made (the client cannot know it was), or a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

from qstui.onec import values as V
from qstui.onec.simulator import query as Q
from qstui.onec.simulator.edmx import edmx
from qstui.onec.simulator.store import E_BAD_REQUEST, E_METHOD, SimulatedError, Store, render

log = logging.getLogger("qstui.onec.simulator")

DEFAULT_BASE = "base"
_KEY = re.compile(r"^(?P<set>[^()/]+)\(guid'(?P<ref>[0-9a-fA-F-]{36})'\)(?:/(?P<action>\w+))?$")

DROP = "drop"  # close the connection before handling the request
DROP_AFTER = "drop_after"  # handle it (a write is made), then close without answering
ERROR_500 = "500"  # answer 500 with an odata.error, handling nothing
FAULT_MODES = (DROP, DROP_AFTER, ERROR_500)


@dataclass
class _Fault:
    after: int
    mode: str
    times: int
    methods: frozenset[str] | None
    path_part: str | None


@dataclass
class Faults:
    """Injected failures, counted over the requests they apply to."""

    _plans: list[_Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_after(
        self,
        n: int,
        mode: str = ERROR_500,
        *,
        times: int = 1,
        methods: Iterable[str] | None = None,
        path_part: str | None = None,
    ) -> None:
        """Let ``n`` more requests through (those of ``methods`` whose path holds
        ``path_part``, when given), then fail the next ``times`` of them with ``mode``."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        with self._lock:
            wanted = frozenset(m.upper() for m in methods) if methods else None
            self._plans.append(_Fault(n, mode, times, wanted, path_part))

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def take(self, method: str, path: str) -> str | None:
        with self._lock:
            for plan in self._plans:
                if plan.methods is not None and method not in plan.methods:
                    continue
                if plan.path_part is not None and plan.path_part not in path:
                    continue
                if plan.after > 0:
                    plan.after -= 1
                    continue
                plan.times -= 1
                if plan.times <= 0:
                    self._plans.remove(plan)
                return plan.mode
        return None


class Simulator:
    """A simulated 1C base served over HTTP; ``start()`` runs it in a thread."""

    def __init__(
        self,
        store: Store,
        *,
        user: str,
        password: str,
        host: str = "127.0.0.1",
        port: int = 0,
        base: str = DEFAULT_BASE,
    ) -> None:
        self.store = store
        self.user = user
        self.password = password
        self.prefix = f"/{quote(base)}/odata/standard.odata/"
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []  # (method, raw path with query)
        self._requests_lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="onec-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, method: str, path: str) -> None:
        with self._requests_lock:
            self.requests.append((method, path))

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user == self.user and password == self.password


def _handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        simulator = sim

    return Handler


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"
    server_version = "1C-Simulator/8.3"
    # Headers and body go out as two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a request), which made 1 000 POSTs take 40 s.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # never the auth header
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        sim = self.simulator
        sim.record(method, self.path)
        body = self._read_body()
        fault = sim.faults.take(method, unquote(self.path))
        if fault == DROP:
            self._drop()
            return
        if fault == ERROR_500:
            self._error(SimulatedError(500, "1", "Внутренняя ошибка сервера 1С:Предприятия"))
            return
        if not sim.authorized(self.headers.get("Authorization")):
            self._send(401, b"", "text/plain", {"WWW-Authenticate": 'Basic realm="1C"'})
            return
        try:
            status, payload, headers, content_type = self._route(method, body)
        except SimulatedError as exc:
            if fault == DROP_AFTER:
                self._drop()
                return
            self._error(exc)
            return
        if fault == DROP_AFTER:
            self._drop()
            return
        self._send(status, payload, content_type, headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _error(self, exc: SimulatedError) -> None:
        body = {"odata.error": {"code": exc.code, "message": {"lang": "ru", "value": exc.message}}}
        self._send(exc.status, json.dumps(body, ensure_ascii=False).encode("utf-8"), _JSON)

    # Routing

    def _route(self, method: str, body: bytes) -> tuple[int, bytes, dict[str, str], str]:
        sim = self.simulator
        raw_path, _sep, raw_query = self.path.partition("?")
        if not raw_path.startswith(sim.prefix):
            raise SimulatedError(404, "9", "Не найдена публикация базы")
        path = unquote(raw_path[len(sim.prefix) :])
        options = _options(raw_query)
        if path == "$metadata" and method == "GET":
            store = sim.store
            with store.lock:
                sets = [s for name, s in store.schema.items() if name in store.published]
            return 200, edmx(sets), {}, "application/xml;charset=utf-8"
        key = _KEY.match(path)
        if key is None:
            if "(" in path or "/" in path:
                raise SimulatedError(400, E_BAD_REQUEST, f"Неверный адрес ресурса «{path}»")
            if method == "GET":
                return self._list(path, options)
            if method == "POST":
                return self._create(path, body)
            raise SimulatedError(405, E_METHOD, f"Метод {method} не поддерживается для набора")
        entity_set, ref, action = key.group("set"), key.group("ref").lower(), key.group("action")
        store = sim.store
        set_ = store.get_set(entity_set)
        if action:
            if method != "POST" or action not in ("Post", "Unpost"):
                raise SimulatedError(405, E_METHOD, f"Метод «{action}» не поддерживается")
            store.post(entity_set, ref, posted=action == "Post")
            return 200, b"", {}, _JSON
        if method == "GET":
            obj = render(
                set_,
                store.get(entity_set, ref),
                Q.select(options.get("$select"), set_.properties, set_.tables) or None,
            )
            obj = {"odata.metadata": f"{sim.url}$metadata#{entity_set}/@Element", **obj}
            return 200, _dump(obj), {}, _JSON
        if method == "PATCH":
            obj = store.update(entity_set, ref, _json(body), self.headers.get("If-Match"))
            return (
                200,
                _dump(
                    {
                        "odata.metadata": f"{sim.url}$metadata#{entity_set}/@Element",
                        **render(set_, obj),
                    }
                ),
                {},
                _JSON,
            )
        if method == "DELETE":
            store.delete(entity_set, ref, self.headers.get("If-Match"))
            return 204, b"", {}, _JSON
        raise SimulatedError(405, E_METHOD, f"Метод {method} не поддерживается")

    def _list(self, entity_set: str, options: dict[str, str]) -> tuple[int, bytes, dict, str]:
        sim = self.simulator
        set_ = sim.store.get_set(entity_set)
        rows = sim.store.rows(entity_set)
        raw_filter = options.get("$filter_raw")
        if raw_filter is not None:
            if "+" in raw_filter:
                raise SimulatedError(
                    400,
                    E_BAD_REQUEST,
                    "Ошибка разбора $filter: символ «+» (пробел кодируется как %20)",
                )
            predicate = Q.parse_filter(options["$filter"], set_.properties)
            rows = [row for row in rows if predicate(row)]
        if "$orderby" in options:
            rows = Q.sort(rows, Q.order_key(options["$orderby"], set_.properties))
        skip = Q.whole(options.get("$skip"), "$skip") or 0
        top = Q.whole(options.get("$top"), "$top")
        rows = rows[skip:] if top is None else rows[skip : skip + top]
        chosen = Q.select(options.get("$select"), set_.properties, set_.tables) or None
        payload = {
            "odata.metadata": f"{sim.url}$metadata#{entity_set}",
            "value": [render(set_, row, chosen) for row in rows],
        }
        return 200, _dump(payload), {}, _JSON

    def _create(self, entity_set: str, body: bytes) -> tuple[int, bytes, dict, str]:
        sim = self.simulator
        set_ = sim.store.get_set(entity_set)
        obj = sim.store.create(entity_set, _json(body))
        location = sim.url + quote(f"{entity_set}(guid'{obj['Ref_Key']}')", safe="()")
        payload = {
            "odata.metadata": f"{sim.url}$metadata#{entity_set}/@Element",
            **render(set_, obj),
        }
        return 201, _dump(payload), {"Location": location}, _JSON


_JSON = "application/json;charset=utf-8"


def _options(raw_query: str) -> dict[str, str]:
    """Query options, each value percent-decoded (``+`` is left as it is: it is not a
    space); the raw ``$filter`` is kept as ``$filter_raw`` to check its encoding."""
    options: dict[str, str] = {}
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _sep, value = part.partition("=")
        name = unquote(name)
        options[name] = unquote(value)
        if name == "$filter":
            options["$filter_raw"] = value
    return options


def _json(body: bytes) -> Any:
    try:
        return V.loads(body or b"{}")
    except Exception:
        raise SimulatedError(400, E_BAD_REQUEST, "Тело запроса — не JSON") from None


def _dump(payload: Any) -> bytes:
    return V.dumps(payload).encode("utf-8")
