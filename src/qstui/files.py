"""Files qstui writes that hold other people's data: backups (password hashes), exports
and proposals (clients' data), the log file.

They are private to the OS user who runs qstui: created with mode 0600 whatever the
umask, and an existing file written again loses its group and other bits first. A
file somebody else owns keeps its mode (only its owner may change it, and its owner
can read it anyway); a device or a pipe (``/dev/stdout``) is never touched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
DOCUMENTS_ENV = "QSTUI_DOCUMENTS_DIR"
SERVED_ENV = "QSTUI_SERVED"  # set by ``qstui serve`` for its sessions' processes


def documents_dir() -> Path:
    """Where files the user asks for (a commercial proposal, an export) go by default:
    ``QSTUI_DOCUMENTS_DIR``, else the user's documents folder (platformdirs: the XDG
    «Documents»/«Документы» folder, ``~/Documents`` on macOS and Windows) — never the
    folder qstui happened to be started in."""
    from platformdirs import user_documents_dir

    return Path(os.environ.get(DOCUMENTS_ENV) or user_documents_dir()).expanduser()


def served() -> bool:
    """Whether this process is a session of ``qstui serve``: its user sits at a browser,
    and a path they type names a file of the server, not of their computer."""
    return os.environ.get(SERVED_ENV) == "1"


def open_private(path: str | Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode, **kwargs)`` for writing a private file (see the module)."""
    return open(path, mode, opener=_private_opener, **kwargs)


def create_private(path: str | Path) -> None:
    """Create ``path`` as an empty private file (or make an existing one private), for
    a writer that opens the file itself, such as ``sqlite3.connect``."""
    open_private(path, "ab").close()


def private_folder(path: str | Path) -> Path:
    """Create the folder ``path`` (and its parents); a new leaf folder is 0700."""
    folder = Path(path)
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return folder


def _private_opener(name: str, flags: int) -> int:
    fd = os.open(name, flags, PRIVATE_FILE)
    try:
        _tighten(fd)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _tighten(fd: int) -> None:
    info = os.fstat(fd)
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if not loose or not stat.S_ISREG(info.st_mode) or not hasattr(os, "fchmod"):
        return
    try:
        os.fchmod(fd, stat.S_IMODE(info.st_mode) & ~0o077)
    except PermissionError:  # another user's file: only its owner may change the mode
        pass


__all__ = ["PRIVATE_FILE", "create_private", "open_private", "private_folder"]
