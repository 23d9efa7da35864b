"""What qstui needs from the Firebird client library (fbclient, through firebird-driver)
beyond SQL: a connection timeout of its own per engine, closing a connection whose server
no longer answers, and the process's signal handlers kept as they were.

- ``register(url, connect_timeout)``: firebird-driver takes connection options from its
  ``driver_config``. sqlalchemy-firebird registers one entry per database *path*, shared
  by every engine of that path — the server of the engine made last wins for all of
  them. Each engine gets an entry of its own under a unique name instead, with
  ``timeout`` (isc_dpb_connect_timeout): how long the client waits for the server to
  accept a connection (fbclient's default ``ConnectionTimeout`` is 180 s).
- ``answered(error)``: whether a failed connection attempt still heard from the server
  (a refused login, a database shut down) — as opposed to a network error, or no
  answer to the handshake in time (isc_connect_reject).
- ``abort(connection)``: ``fb_cancel_operation(fb_cancel_abort)`` — "forcibly close the
  client side of the connection", meant to be called from another thread: a call blocked
  on that connection returns at once with a network error. The server rolls back the
  connection's transaction when it notices the connection is gone.
- ``keep_signal_handlers()``: at its first attachment fbclient installs handlers of
  SIGINT and SIGTERM that shut down every connection of the process and let the process
  run on (a CLI command ignored SIGTERM for 50 s). The handlers Python had are put back
  once, from the main thread (only it may set them), after fbclient installed its own
  (it does so once per process).
"""

from __future__ import annotations

import signal
import threading
import uuid
from typing import Any

from sqlalchemy.engine import URL

_restored = False
# isc_connect_reject, isc_network_error, isc_net_connect_err, isc_net_read_err,
# isc_net_write_err
NETWORK_GDS_CODES = frozenset({335544421, 335544721, 335544722, 335544726, 335544727})


def register(url: URL, connect_timeout: int) -> str:
    """A ``driver_config`` entry of its own for a Firebird URL; connect with its name."""
    from firebird.driver import driver_config

    name = f"qstui-{uuid.uuid4().hex}"
    database = driver_config.register_database(name)
    if url.host:
        server = driver_config.register_server(name)
        server.host.value = url.host
        server.port.value = str(url.port or 3050)
        database.server.value = name
    database.database.value = url.database
    database.timeout.value = max(1, connect_timeout)
    return name


def answered(error: BaseException) -> bool:
    """Whether the server answered the connection attempt that failed with ``error``."""
    codes = set(getattr(error, "gds_codes", None) or ())
    return bool(codes) and not codes & NETWORK_GDS_CODES


def abort(connection: Any) -> None:
    """Close the client side of a firebird-driver connection at once (see the module doc);
    the connection is unusable afterwards. Safe on a closed connection."""
    from firebird.driver import CancelType

    attachment = getattr(connection, "_att", None)  # firebird-driver's iAttachment
    if attachment is None:
        return
    try:
        attachment.cancel_operation(CancelType.ABORT)
    except Exception:  # already closed or broken: nothing left to abort
        pass


def keep_signal_handlers() -> None:
    """Put back the SIGINT and SIGTERM handlers Python had before fbclient's first
    attachment replaced them (see the module doc). Call after a connection is made;
    does nothing outside the main thread, and nothing once done."""
    global _restored
    if _restored or threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)  # what Python installed (it knows no other)
        if handler is not None:
            signal.signal(number, handler)
    _restored = True
