"""The engine for a Firebird 3 server, watched for a server that stops answering.

What it adds to a plain SQLAlchemy engine (see ``db.server_watch`` for the why):

- connections are made through a ``driver_config`` entry of the engine's own
  (``fbclient.register``), each in a helper thread given up after ``server_timeout``;
- every checked-out connection is a call in flight of the engine's ``ServerWatch``, from
  checkout to checkin — statements, fetches, commit, the rollback of the return to the
  pool; a connection taken from the pool is pinged first (as ``pool_pre_ping`` does), and
  a ping that meets a dead connection makes the pool connect anew;
- once the watch finds the server lost, every connection of the engine is aborted, and
  the error of a call on a connection it aborted is ``ServerNotAnswering``;
- transactions are READ COMMITTED with a lock wait of ``lock_timeout`` seconds (the
  driver's default is SNAPSHOT with an infinite wait: a blocked writer would hang).
"""

from __future__ import annotations

import threading
import weakref
from functools import partial
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL

from qstui.db import fbclient
from qstui.db.locks import LOCK_TIMEOUT_KEY
from qstui.db.server_watch import Call, ServerWatch
from qstui.domain.errors import ServerNotAnswering

FRESH_KEY = "qstui_fresh"  # in a connection record's info: made, not yet checked out


class FirebirdLink:
    """An engine for a Firebird server and the watch on it."""

    def __init__(self, url: URL, *, echo: bool, lock_timeout: int, server_timeout: float) -> None:
        from firebird.driver import Isolation, tpb

        self.engine = engine = create_engine(url, echo=echo)
        # Firebird 3 has no multi-row RETURNING: ORM bulk update/delete would fail.
        engine.dialect.update_returning = False
        engine.dialect.delete_returning = False
        # sqlalchemy-firebird's "hard close" calls Connection.terminate(), which
        # firebird-driver does not have; after an abort a plain close is immediate.
        engine.dialect.do_terminate = engine.dialect.do_close  # type: ignore[method-assign]
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        # the handshake's own limit ends a helper thread the watch gave up on
        cparams["database"] = fbclient.register(url, connect_timeout=int(server_timeout) + 1)
        self._connect_args = (cargs, cparams)
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._held: dict[Any, tuple[Call, Any]] = {}  # connection record → (call, connection)
        self._lock = threading.Lock()
        self.watch = ServerWatch(
            server_timeout, probe=self._probe, on_lost=self.abort_all, close_late=_close
        )
        default_tpb = tpb(Isolation.READ_COMMITTED_RECORD_VERSION, lock_timeout=lock_timeout)

        @event.listens_for(engine, "do_connect")
        def _connect(*_: Any) -> Any:
            return self.watch.bounded(self._new_connection)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_con: Any, record: Any) -> None:
            record.info[LOCK_TIMEOUT_KEY] = lock_timeout  # how long db.locks waits in all
            record.info[FRESH_KEY] = True
            dbapi_con.main_transaction.default_tpb = default_tpb
            self._connections.add(dbapi_con)
            fbclient.keep_signal_handlers()

        @event.listens_for(engine, "checkout")
        def _on_checkout(dbapi_con: Any, record: Any, proxy: Any) -> None:
            self._hold(record, dbapi_con)
            if not record.info.pop(FRESH_KEY, False):
                self._ping(dbapi_con, record)

        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_con: Any, record: Any) -> None:
            self._release(record)

        @event.listens_for(engine, "handle_error")
        def _on_error(context: Any) -> BaseException | None:
            return self._translate(context)

    # --- connections ------------------------------------------------------------------

    def _new_connection(self) -> Any:
        cargs, cparams = self._connect_args
        return self.engine.dialect.connect(*cargs, **cparams)

    def _probe(self) -> None:
        """Raises unless the server answers a connection request (a refused login is
        an answer too)."""
        try:
            connection = self._new_connection()
        except Exception as error:
            if fbclient.answered(error):
                return
            raise
        _close(connection)

    def abort_all(self) -> None:
        """Close every connection of the engine on the client side (the server is lost)."""
        for connection in list(self._connections):
            fbclient.abort(connection)

    def dispose(self) -> None:
        """Close the pool's connections — watched, as closing asks the server too."""
        with self.watch.watching(self.abort_all, kind="quick"):
            self.engine.dispose()
        self.watch.close()

    # --- calls in flight --------------------------------------------------------------

    def _hold(self, record: Any, dbapi_con: Any) -> None:
        self._release(record)  # a connection the pool replaced during its checkout
        call = self.watch.hold(partial(fbclient.abort, dbapi_con))
        with self._lock:
            self._held[record] = (call, dbapi_con)

    def _release(self, record: Any) -> None:
        with self._lock:
            held = self._held.pop(record, None)
        if held is not None:
            self.watch.release(held[0])

    def _ping(self, dbapi_con: Any, record: Any) -> None:
        """A round trip on a connection taken from the pool; a dead one is replaced."""
        call = self.watch.hold(partial(fbclient.abort, dbapi_con), kind="quick")
        try:
            dbapi_con.ping()
        except Exception as error:
            self._release(record)
            if call.lost:
                raise ServerNotAnswering(self.watch.timeout) from error
            raise exc.DisconnectionError(f"ping failed: {error}") from error
        finally:
            self.watch.release(call)

    def _translate(self, context: Any) -> BaseException | None:
        """``ServerNotAnswering`` for the error of a call the watch aborted."""
        if context.connection is None:
            return None
        try:
            dbapi_con = context.connection.connection.dbapi_connection
        except Exception:
            return None
        with self._lock:
            lost = any(c.lost for c, con in self._held.values() if con is dbapi_con)
        return ServerNotAnswering(self.watch.timeout) if lost else None


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # an aborted connection may complain; it is closed all the same
        pass
