"""What every CLI command shares: the settings, the database it works on, and who acts
(``qstui.cli.identity``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from qstui.cli import identity
from qstui.config import Settings
from qstui.db.engine import Database
from qstui.i18n import _
from qstui.services.context import Context


@dataclass
class CliState:
    settings: Settings
    login: str | None = None
    password_stdin: bool = False  # ``--password-stdin`` of a command with ``--as``
    _db: Database | None = field(default=None, repr=False)
    _contexts: dict[str | None, Context] = field(default_factory=dict, repr=False)

    def database(self) -> Database:
        if self._db is None:
            self._db = Database(
                self.settings.db_url,
                lock_timeout=self.settings.lock_timeout,
                server_timeout=self.settings.server_timeout,
            )
        return self._db

    def context(self, as_login: str | None = None) -> Context:
        """The admin context of the CLI, or the context of ``as_login`` (``--as``) once
        that user proved who they are; asked once per command."""
        if as_login is None and self.password_stdin:
            raise click.UsageError(_("--password-stdin goes with --as LOGIN"))
        if as_login is not None and not as_login.strip():
            raise click.UsageError(_("--as needs a login"))
        if as_login not in self._contexts:
            db = self.database()
            if as_login is None and db.needs_login:
                raise click.ClickException(
                    _(
                        "The database URL names no user (each user's own Firebird login): "
                        "act as a user with --as LOGIN, or use the administrator's URL"
                    )
                )
            self._contexts[as_login] = (
                identity.proven_context(db, self.settings.state_dir, as_login, self.password_stdin)
                if as_login is not None
                else identity.system_context(db)
            )
        return self._contexts[as_login]

    def close(self) -> None:
        for ctx in self._contexts.values():
            if ctx.db is not self._db:  # a user's own database login (per-user logins)
                ctx.db.dispose()
        self._contexts.clear()
        if self._db is not None:
            self._db.dispose()
            self._db = None


def state() -> CliState:
    return click.get_current_context().find_object(CliState)  # type: ignore[return-value]
