"""Starting the TUI from the ``qstui`` command (imports Textual only here)."""

from __future__ import annotations

import click

from qstui.cli.state import CliState
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision
from qstui.i18n import _
from qstui.serve import handoff


def ready_database(state: CliState) -> Database:
    """The database the application works on: the embedded one is created on first run
    (X1); any other must be initialized and up to date."""
    db = state.database()
    if state.settings.db_is_default:
        from qstui.db.setup import init_database

        init_database(db)
    elif db.needs_login:
        pass  # each user's own Firebird login: nothing can be read before the login
    elif current_revision(db) != head_revision():
        raise click.ClickException(
            _("The database is not initialized or needs an upgrade: run `qstui db init`")
        )
    return db


def run_tui(state: CliState) -> None:
    # a session of ``qstui serve`` logs in with what the server hands it (serve.handoff)
    credentials = handoff.receive()
    db = ready_database(state)
    from qstui.app import QstuiApp

    QstuiApp(
        db=db, login=state.login, credentials=credentials, lang_fixed=state.settings.lang_fixed
    ).run()
