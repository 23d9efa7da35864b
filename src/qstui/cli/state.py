"""What every CLI command shares: the settings and the database it works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from qstui.config import Settings
from qstui.db.engine import Database
from qstui.services.context import Context, context_for


@dataclass
class CliState:
    settings: Settings
    login: str | None = None
    _db: Database | None = field(default=None, repr=False)

    def database(self) -> Database:
        if self._db is None:
            self._db = Database(
                self.settings.db_url,
                lock_timeout=self.settings.lock_timeout,
                server_timeout=self.settings.server_timeout,
            )
        return self._db

    def context(self, as_login: str | None = None) -> Context:
        """The admin context of the CLI, or the context of ``as_login`` (``--as``)."""
        db = self.database()
        return context_for(db, as_login) if as_login else Context.system(db)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def state() -> CliState:
    return click.get_current_context().find_object(CliState)  # type: ignore[return-value]
