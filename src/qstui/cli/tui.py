"""Starting the TUI from the ``qstui`` command (imports Textual only here)."""

from __future__ import annotations

import click

from qstui.cli.state import CliState
from qstui.db.migrate import current_revision, head_revision
from qstui.i18n import _


def run_tui(state: CliState) -> None:
    db = state.database()
    if state.settings.db_is_default:
        # X1: the embedded database is created on first run, nothing to set up.
        from qstui.db.setup import init_database

        init_database(db)
    elif current_revision(db) != head_revision():
        raise click.ClickException(
            _("The database is not initialized or needs an upgrade: run `qstui db init`")
        )
    from qstui.app import QstuiApp

    QstuiApp(db=db, login=state.login).run()
