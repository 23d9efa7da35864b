"""A TCP proxy on loopback in front of the Firebird server that can turn into a black
hole: ``go_dark()`` stops forwarding and reading in both directions and keeps every
socket open — no RST, no FIN, the peers' kernels still acknowledge what they send, as
with a server that froze or a firewall that drops packets. ``forward()`` resumes; what
was sent meanwhile is delivered then. Connections made while dark are accepted and
left unanswered. ``forget()`` darkens only the connections made so far, for good, as a
firewall or a NAT does with a connection it dropped from its table while it was idle:
new connections go through."""

from __future__ import annotations

import select
import socket
import threading
from types import TracebackType

from sqlalchemy.engine import URL

POLL = 0.02  # seconds a pump waits for data before it looks at the switch again


class BlackHole:
    def __init__(self, upstream: URL) -> None:
        self.upstream = (upstream.host or "127.0.0.1", int(upstream.port or 3050))
        self._upstream_url = upstream
        self._open = threading.Event()
        self._open.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._forgotten: list[threading.Event] = []  # one per connection, set: forgotten
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, name="black-hole", daemon=True).start()

    @property
    def url(self) -> URL:
        """The upstream database's URL, through the proxy."""
        return self._upstream_url.set(host="127.0.0.1", port=self.port)

    def go_dark(self) -> None:
        self._open.clear()

    def forward(self) -> None:
        self._open.set()

    def forget(self) -> None:
        with self._lock:
            for forgotten in self._forgotten:
                forgotten.set()

    def close(self) -> None:
        self._closed.set()
        self._open.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()

    def __enter__(self) -> BlackHole:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._keep(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._open.wait()
        if self._closed.is_set():
            return
        server = socket.create_connection(self.upstream)
        self._keep(server)
        forgotten = threading.Event()
        with self._lock:
            self._forgotten.append(forgotten)
        threading.Thread(target=self._pump, args=(server, client, forgotten), daemon=True).start()
        self._pump(client, server, forgotten)

    def _pump(
        self, source: socket.socket, target: socket.socket, forgotten: threading.Event
    ) -> None:
        while not self._closed.is_set():
            self._open.wait()
            if forgotten.is_set():  # dark for good, sockets open
                self._closed.wait()
                break
            try:
                ready, _, _ = select.select([source], [], [], POLL)
                if not ready or not self._open.is_set() or forgotten.is_set():
                    continue
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
            except (OSError, ValueError):  # closed by the other pump or by close()
                break
        for sock in (source, target):
            try:
                sock.close()
            except OSError:
                pass
