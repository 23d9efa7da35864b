"""Users of a CLI test who proved who they are: ``sign_in(db, "anna")`` leaves what
``qstui login --as anna`` leaves — a token in the database and its file in the state
dir (``QSTUI_STATE_DIR``) — so that commands with ``--as anna`` need no password."""

from __future__ import annotations

from qstui.cli import token_file
from qstui.config import state_dir
from qstui.db.engine import Database
from qstui.services.access import tokens
from qstui.services.context import context_for


def sign_in(db: Database, *logins: str) -> None:
    for login in logins:
        token_file.save(state_dir(), db.url, tokens.issue(context_for(db, login)))
