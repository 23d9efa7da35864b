"""The token files of ``qstui login``: one per database and login, in the ``tokens``
folder of the user's state dir (``QSTUI_STATE_DIR``, else platformdirs').

The folder is 0700 and every file 0600 (``qstui.files``), written whole or not at all
(a temporary file renamed over the old one). A file's name is a digest of the database
and the login (no login or path has to be a valid file name); inside is JSON: the
database, the login, the token's id and expiry, and the secret. The secret never goes
to a command line, a message or the log.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from qstui.db.urls import database_identity
from qstui.domain.tokens import IssuedToken
from qstui.files import PRIVATE_FOLDER, open_private, private_folder

FOLDER = "tokens"


@dataclass(frozen=True)
class SavedToken:
    path: Path
    login: str
    token_id: int
    secret: str


def token_path(state_dir: Path, url: URL, login: str) -> Path:
    """Where the token of ``login`` (normalized) for the database ``url`` is kept."""
    key = f"{database_identity(url)}\n{login}".encode("utf-8", "surrogatepass")
    return state_dir / FOLDER / f"{hashlib.sha256(key).hexdigest()[:32]}.json"


def save(state_dir: Path, url: URL, token: IssuedToken) -> Path:
    """Write ``token`` for ``url`` (replacing the one there); returns its file."""
    path = token_path(state_dir, url, token.login)
    folder = private_folder(path.parent)
    if os.name == "posix" and stat.S_IMODE(folder.stat().st_mode) != PRIVATE_FOLDER:
        folder.chmod(PRIVATE_FOLDER)
    content = {
        "database": database_identity(url),
        "login": token.login,
        "id": token.id,
        "expires_at": token.expires_at.isoformat(),
        "secret": token.secret,
    }
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    try:
        with open_private(temporary, "w", encoding="utf-8") as fh:
            json.dump(content, fh, indent=2)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def is_exposed(path: Path) -> bool:
    """True when other OS users may read the file (its group or other bits are set)."""
    return os.name == "posix" and bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def read(path: Path) -> SavedToken | None:
    """The token in ``path``; None when the file is missing or not a token file."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict):
        return None
    login, token_id, secret = content.get("login"), content.get("id"), content.get("secret")
    if not (isinstance(login, str) and isinstance(token_id, int) and isinstance(secret, str)):
        return None
    return SavedToken(path, login, token_id, secret)


def delete(path: Path) -> None:
    path.unlink(missing_ok=True)
