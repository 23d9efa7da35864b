"""The ``qstui`` command: the TUI when run without a subcommand, and the admin CLI.

Exit codes: 0 ok; 1 a user error, printed as one line without a traceback, or an
unexpected error, printed as one line that names the log file holding its traceback
(``qstui.logs``); 2 wrong usage (click's own); 130 and 143 an admin command stopped by
SIGINT (Ctrl+C) or SIGTERM, with one line, within a second (``cli.interrupts``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from qstui import __version__, logs, memory
from qstui.cli import click_language, interrupts
from qstui.cli.state import CliState
from qstui.config import ConfigError, check_private, load_settings
from qstui.db.urls import UrlError, url_secrets
from qstui.domain import clock
from qstui.i18n import LANGUAGES, _, set_language
from qstui.services.errors import describe

click_language.install()


class QstuiGroup(click.Group):
    """Turns every failure into one line on stderr and exit code 1; an unexpected one
    leaves its traceback in the log file the line names."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Choose the language as soon as ``--lang`` is read: click resolves the command
        (and may report an unknown one) before the group's callback runs."""
        rest = super().parse_args(ctx, args)
        try:
            set_language(load_settings(db=None, lang=ctx.params.get("lang")).lang)
        except ConfigError:
            pass  # the callback reports it
        return rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except interrupts.Interrupted as exc:
            interrupts.say_once(exc.number)
            raise click.exceptions.Exit(exc.exit_code) from None
        except BrokenPipeError:  # the reader went away (`… | head`): stop quietly, as cat does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(141) from None
        except UrlError as exc:
            raise click.ClickException(_where(ctx, str(exc))) from None
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            raise click.ClickException(str(describe(exc))) from None
        finally:
            state = ctx.find_object(CliState)
            if state is not None:
                state.close()


def _where(ctx: click.Context, message: str) -> str:
    """``message`` about the database URL, prefixed with where the URL was given."""
    state = ctx.find_object(CliState)
    source = state.settings.db_source if state is not None else ""
    return f"{source}: {message}" if source else message


@click.group(
    cls=QstuiGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database: sqlite:///file.db, a file path, or "
    "firebird://user:password@host[:port]/path/file.fdb. "
    "Default: $QSTUI_DB, then the config file, then the embedded database. "
    "A URL with a password belongs there, not here: `ps` shows command lines to every user.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Interface language (default: $QSTUI_LANG, the config file, or ru).",
)
@click.option("--user", "login", metavar="LOGIN", help="Pre-fill the login on the login screen.")
@click.version_option(__version__, prog_name="qstui")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, lang: str | None, login: str | None) -> None:
    """qstui — a keyboard-first CRM in the terminal.

    Run without a command to open the application. Admin commands below work on the
    same database; every command has its own --help.
    """
    settings = load_settings(db=db_url, lang=lang)
    logs.configure(settings.log_dir, url_secrets(settings.db_url))
    set_language(settings.lang)
    if ctx.invoked_subcommand not in (None, "serve"):  # the TUI handles its own keys
        interrupts.install()
    if db_url is not None and not db_url.strip():  # never the default database instead
        raise ConfigError(_("The --db option is empty: give a database URL or a file path"))
    check_private(settings)
    clock.configure(settings.tz)
    ctx.obj = CliState(settings=settings, login=login)
    if ctx.invoked_subcommand is None:
        from qstui.cli.tui import run_tui

        run_tui(ctx.obj)


def _register() -> None:
    from qstui.cli import (
        audit,
        clients,
        deals,
        demo,
        events,
        knowledge,
        login,
        mail,
        onec,
        packages,
        refbooks,
        reports,
        serve,
        tokens,
        users,
    )
    from qstui.cli import db as db_commands
    from qstui.cli import settings as settings_commands

    users.user.add_command(tokens.tokens)
    for command in (
        db_commands.db,
        users.user,
        demo.demo,
        clients.client,
        deals.deal,
        events.event,
        knowledge.knowledge,
        reports.report,
        audit.audit,
        settings_commands.setting,
        serve.serve,
        login.login,
        login.logout,
        onec.onec,
        mail.mail,
        packages.package,
        refbooks.refbook,
    ):
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """The ``qstui`` program (its admin commands stop promptly on SIGINT and SIGTERM;
    ``cli`` invoked in-process, as tests do, leaves the signals alone)."""
    interrupts.arm()
    memory.keep_out_of_the_way()  # what the imports built is not walked again
    try:
        cli.main(args=argv, prog_name="qstui", standalone_mode=True)
    except interrupts.Interrupted as exc:  # a signal between two commands' steps
        interrupts.say_once(exc.number)
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
