"""The log file: where an unexpected error leaves its traceback.

Every ``qstui`` process (the TUI, an admin command, a session of ``qstui serve``) sends
the ``qstui`` logger to ``qstui.log`` in the user log dir of platformdirs
(``~/.local/state/qstui/log`` on Linux) or in ``$QSTUI_LOG_DIR``. The file is rotated at
1 MB and five old files are kept (``qstui.log.1`` … ``qstui.log.5``); the file and its
new folder are readable by their owner only (``qstui.files``). Processes of one OS user
share the file: when one of them rotates it, another may go on writing into the
rotated file until its own next rotation — nothing is lost.

No secret reaches the file: every line, tracebacks included, goes through ``redact``,
which hides the password of any URL in it and the password of the database URL in
use wherever it appears (one of at least four characters: a shorter one would blank
out line numbers; it is still hidden inside a URL). What the user reads about an
unexpected error (``services.errors.describe``) goes through ``redact`` too and names
the file (``log_file``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO, Any

from qstui.db.urls import HIDDEN, mask_urls_in
from qstui.files import open_private, private_folder

LOG_FILE_NAME = "qstui.log"
MAX_BYTES = 1 << 20
BACKUPS = 5
MIN_SECRET = 4  # characters; see the module
FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
LOGGER = "qstui"

_handler: _PrivateRotatingHandler | None = None
_secrets: tuple[str, ...] = ()


def configure(folder: Path, secrets: Iterable[str] = ()) -> Path | None:
    """Send the ``qstui`` logger to ``folder/qstui.log`` (a second call replaces the
    first) and hide ``secrets`` in it. Returns the file, or None when the folder
    cannot be made (the log then goes where Python's logging sends it by default)."""
    global _handler, _secrets
    _secrets = tuple(sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True))
    logger = logging.getLogger(LOGGER)
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    try:
        path = private_folder(folder) / LOG_FILE_NAME
    except OSError:
        return None
    handler = _PrivateRotatingHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(_RedactingFormatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _handler = handler
    return path


def log_file() -> Path | None:
    """The file the log goes to, once ``configure`` made one."""
    return Path(_handler.baseFilename) if _handler is not None else None


def redact(text: str) -> str:
    """``text`` without the passwords of URLs and the configured secrets."""
    text = mask_urls_in(text)
    for secret in _secrets:
        text = text.replace(secret, HIDDEN)
    return text


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingHandler(RotatingFileHandler):
    """A rotating file handler whose files are private (mode 0600)."""

    def _open(self) -> IO[Any]:
        return open_private(
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors
        )


__all__ = ["BACKUPS", "LOG_FILE_NAME", "MAX_BYTES", "configure", "log_file", "redact"]
