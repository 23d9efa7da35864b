"""SIGTERM and SIGINT (Ctrl+C) end an admin command within a second, even while the
database driver is blocked in a C call (issue 10: a command writing to a server whose
traffic was dropped ignored both for 50 s).

Python runs a signal handler only in the main thread, between two bytecodes; a main
thread waiting inside fbclient for a server that does not answer never gets there. So
the handler has two halves:

- in the main thread, when it can run: ``Interrupted`` is raised there and unwinds the
  command as any error does — open transactions are rolled back, a password prompt
  puts the terminal back, temporary files are removed — and ``QstuiGroup`` prints one
  line and exits with 128 + the signal number (130 for SIGINT, 143 for SIGTERM);
- in a watcher thread, always: Python's C-level handler writes the signal's number to a
  pipe at once (``signal.set_wakeup_fd``); the watcher reads it, gives the main thread
  ``GRACE`` to finish, then prints the same line (unless it was printed) and ends the
  process with ``os._exit``.

Ending the process that way leaves nothing half-written: whatever was not committed is
rolled back — by the Firebird server when the connection goes away, by SQLite's journal
at the next open. The alternative, running every command in a worker thread while the
main thread waits, would move click's prompts and context, and the TUI started by the
same command, off the main thread; a watcher beside an untouched command is smaller.

Installed once, by the ``qstui`` program (``arm`` in ``main``), for its admin commands:
not for the TUI and ``qstui serve``, which handle their own keys and signals, and not
when ``cli`` is called in-process (tests), whose process keeps its own handlers.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType

from qstui.i18n import _

GRACE = 1.0  # seconds the main thread has to stop by itself
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_said = threading.Lock()  # taken by whoever prints the line: it is printed once
_armed = False
_installed = False


class Interrupted(BaseException):
    """A signal asked the command to stop (a BaseException: ``except Exception`` in the
    code it unwinds through does not swallow it)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number

    @property
    def exit_code(self) -> int:
        return 128 + self.number

    def __str__(self) -> str:
        return message(self.number)


def message(number: int) -> str:
    return _("Interrupted by {signal}; an unfinished change was not saved").format(
        signal=signal.Signals(number).name
    )


def say_once(number: int) -> None:
    """Print the line about the interruption, unless it was printed already."""
    if _said.acquire(blocking=False):
        line = message(number) + "\n"
        os.write(2, line.encode(sys.stderr.encoding or "utf-8", "replace"))


def arm() -> None:
    """This process is the ``qstui`` program: ``install`` may take over the signals."""
    global _armed
    _armed = True


def install() -> None:
    """Handlers of SIGINT and SIGTERM for an admin command (main thread, once, armed)."""
    global _installed
    if not _armed or _installed:
        return
    _installed = True
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    for number in SIGNALS:
        signal.signal(number, _raise)
    threading.Thread(target=_watch, args=(read_end,), name="qstui-signals", daemon=True).start()


def _raise(number: int, frame: FrameType | None) -> None:
    raise Interrupted(number)


def _watch(read_end: int) -> None:
    while True:
        received = os.read(read_end, 1)
        if not received:
            return
        number = received[0]
        if number in SIGNALS:
            time.sleep(GRACE)  # the main thread ends the process meanwhile, if it can
            say_once(number)
            os._exit(128 + number)
