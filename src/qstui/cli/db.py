"""``qstui db``: create, upgrade, inspect, back up and restore the database.

Thin: the work is in ``qstui.db.setup`` and ``qstui.db.backup``; this module parses the
arguments, shows progress and prints the outcome. Errors are raised as ServiceError /
ClickException and printed as one line by the root group.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from qstui.cli.state import state
from qstui.db.backup import Progress, backup_database, restore_database
from qstui.db.grants import ROLE, apply_grants
from qstui.db.setup import (
    database_info,
    init_database,
    opened,
    require_existing,
    upgrade_database,
)
from qstui.db.statistics import refresh_statistics
from qstui.i18n import N_, _
from qstui.services.access import own_logins

_UNITS = (N_("B"), N_("kB"), N_("MB"), N_("GB"), N_("TB"))  # decimal, as the progress bar


def human_size(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            return f"{int(value)} {_(unit)}" if unit == _UNITS[0] else f"{value:.1f} {_(unit)}"
        value /= 1000
    return str(size)  # pragma: no cover


def _url() -> str:
    return state().settings.db_url


def _lock_timeout() -> int:
    return state().settings.lock_timeout


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def db() -> None:
    """Create, upgrade, inspect, back up and restore the database.

    The database is the one of the global --db option (or $QSTUI_DB, the config file,
    the embedded default). Put --db before `db`. A URL with a password belongs in
    $QSTUI_DB or the config file: `ps` shows command lines to every user.

    \b
    Examples:
      qstui db init
      qstui --db /data/crm.sqlite3 db info
      qstui db backup crm-2024-05-31.bak
      qstui db restore crm-2024-05-31.bak --force
    """


@db.command("init")
def init_cmd() -> None:
    """Create the database if needed, migrate it and load the reference books.

    Running it again is harmless: it only reports that the database is up to date.
    On Firebird the database is created by the server (UTF8, page size 16384); its
    folder must be writable by the server's `firebird` user.

    \b
    Examples:
      qstui db init
      qstui --db /data/crm.sqlite3 db init
    """
    result = init_database(_url())
    where = f"{result.backend}: {result.url}"
    if result.up_to_date:
        click.echo(
            _("The database {where} is up to date (revision {rev}).").format(
                where=where, rev=result.revision
            )
        )
        return
    if result.created:
        click.echo(_("Created the database {where}.").format(where=where))
    else:
        click.echo(_("The database {where} exists.").format(where=where))
    if result.migrated:
        click.echo(
            _("Schema: {before} → {rev}.").format(
                before=result.revision_before or _("empty"), rev=result.revision
            )
        )
    else:
        click.echo(_("Schema: revision {rev}, up to date.").format(rev=result.revision))
    if result.rows_added:
        parts = ", ".join(f"{name} {n}" for name, n in sorted(result.refbooks_added.items()))
        click.echo(
            _("Reference books: {n} rows added ({parts}).").format(n=result.rows_added, parts=parts)
        )
    else:
        click.echo(_("Reference books: nothing to add."))


@db.command("upgrade")
def upgrade_cmd() -> None:
    """Migrate an existing database to the current schema revision.

    A database that does not exist yet is created by `qstui db init`, not here.

    \b
    Example:
      qstui --db /data/crm.sqlite3 db upgrade
    """
    result = upgrade_database(_url())
    where = f"{result.backend}: {result.url}"
    if result.migrated:
        click.echo(
            _("Upgraded {where}: {before} → {rev}.").format(
                where=where, before=result.revision_before or _("empty"), rev=result.revision
            )
        )
        click.echo(_("Statistics refreshed: {n} indexes or tables.").format(n=result.analyzed))
    else:
        click.echo(
            _("The database {where} is up to date (revision {rev}).").format(
                where=where, rev=result.revision
            )
        )
    if result.grants:
        click.echo(_("Grants of the role {role}: up to date.").format(role=ROLE))


@db.command("grants")
def grants_cmd() -> None:
    """Create or bring up to date the SQL role of users with own Firebird logins.

    Firebird only; run it with the database owner's (or SYSDBA's) credentials. The role
    QSTUI_USER reads and writes the business tables, only reads the reference books,
    users, rights, settings and the audit log, and writes its own audit rows and login
    time through stored procedures. Running it again is harmless; `qstui db upgrade`
    runs it after each migration once the role exists.

    \b
    Example:
      qstui db grants
    """
    with opened(require_existing(_url())) as database:
        _require_firebird(database.backend)
        result = apply_grants(database)
    click.echo(
        _("Role {role}: {written} tables to read and write, {read} to read only.").format(
            role=result.role, written=result.written, read=result.read_only
        )
    )


@db.command("per-user-logins")
@click.argument("switch", type=click.Choice(["on", "off"]))
def per_user_logins_cmd(switch: str) -> None:
    """Switch each user's own Firebird login on or off (Firebird only).

    On: the role's grants are brought up to date, and from then on `qstui user add`,
    `passwd`, `lock` and `unlock` (run with the owner's credentials) also create, change,
    deactivate and activate the user's Firebird login; the account keeps no password
    hash. Users then connect with a URL without user and password
    (firebird://server/path/crm.fdb): the login screen's login is the connection's.
    Give each existing user a password again (`qstui user passwd LOGIN`) to make the
    login.

    \b
    Example:
      qstui db per-user-logins on
    """
    ctx = state().context()
    _require_firebird(ctx.db.backend)
    without = own_logins.switch(ctx, switch == "on")
    if switch == "off":
        click.echo(_("Per-user Firebird logins: off."))
        return
    click.echo(_("Per-user Firebird logins: on (role {role}).").format(role=ROLE))
    if without:
        click.echo(
            _(
                "These users have no Firebird login yet and keep a password hash the role "
                "can read: give each a new password (qstui user passwd LOGIN): {logins}"
            ).format(logins=", ".join(without))
        )


def _require_firebird(backend: str) -> None:
    if backend != "firebird":
        raise click.ClickException(
            _("Per-user logins need a Firebird server; this database is SQLite")
        )


@db.command("analyze")
def analyze_cmd() -> None:
    """Refresh the query planner's index statistics.

    Run it after loading or importing many rows by other means than qstui (qstui does
    it after its own demo load and big imports). On Firebird the server never
    refreshes them by itself, and stale statistics make screens slow.

    \b
    Example:
      qstui db analyze
    """
    with opened(require_existing(_url())) as database:
        count = refresh_statistics(database)
    click.echo(_("Statistics refreshed: {n} indexes or tables.").format(n=count))


@db.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
def info_cmd(as_json: bool) -> None:
    """Show the backend, the URL (password hidden), versions, size and row counts.

    \b
    Examples:
      qstui db info
      qstui db info --json
    """
    info = database_info(_url())
    if as_json:
        click.echo(json.dumps(info.to_dict(), ensure_ascii=False, indent=2))
        return
    status = _("up to date")
    if info.needs_upgrade:
        status = _("needs an upgrade: run qstui db upgrade")
    rows = [
        (_("Backend"), f"{info.backend} ({info.server_version})"),
        (_("Database"), info.url),
        (
            _("Revision"),
            _("{rev} (head {head}, {status})").format(
                rev=info.revision or _("empty"), head=info.head, status=status
            ),
        ),
        (_("Size"), human_size(info.size_bytes)),
        (_("Total rows"), str(info.total_rows)),
    ]
    width = max(len(label) for label, _v in rows) + 2
    for label, value in rows:
        click.echo(f"{label + ':':<{width}}{value}")
    click.echo(_("Rows by table:"))
    name_width = max(len(name) for name in info.tables)
    for name, count in info.tables.items():
        shown = _("missing") if count is None else str(count)
        click.echo(f"  {name:<{name_width}}  {shown:>9}")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def backup_cmd(file: Path, force: bool) -> None:
    """Back up the whole database into FILE.

    SQLite: FILE is a complete SQLite database (made with the online backup API, so it
    is consistent while people work). Firebird: FILE is a gbak backup streamed from the
    server, so FILE is on this computer. An existing FILE is kept unless --force.

    \b
    Examples:
      qstui db backup crm-2024-05-31.bak
      qstui db backup crm.fbk      # Firebird: a gbak backup, streamed to this computer
    """
    with _progress(_("Backing up")) as report:
        result = backup_database(
            _url(), file, force=force, progress=report, lock_timeout=_lock_timeout()
        )
    click.echo(
        _("Backup of {where} written to {file} ({size}).").format(
            where=f"{result.backend}: {result.url}",
            file=result.path,
            size=human_size(result.size),
        )
    )


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has data.")
def restore_cmd(file: Path, force: bool) -> None:
    """Replace the database with the backup in FILE.

    The kind of backup is detected from the file: an SQLite backup restores into an
    SQLite database, a gbak backup into a Firebird one. A database that has rows
    needs --force. The backup is checked before the database is touched: a damaged
    file leaves the database as it was. Close qstui everywhere before restoring.

    \b
    Examples:
      qstui --db /data/crm.sqlite3 db restore crm-2024-05-31.bak
      qstui db restore crm.fbk --force
    """
    with _progress(_("Restoring")) as report:
        result = restore_database(
            _url(), file, force=force, progress=report, lock_timeout=_lock_timeout()
        )
    click.echo(
        _("Restored {file} into {where}: revision {rev}, {rows} rows.").format(
            file=file,
            where=f"{result.backend}: {result.url}",
            rev=result.revision or _("empty"),
            rows=result.total_rows,
        )
    )
    if result.needs_upgrade:
        click.echo(_("The schema is older than this version of qstui: run qstui db upgrade."))
    counts = {name: n for name, n in result.tables.items() if n}
    if counts:
        width = max(len(name) for name in counts)
        for name, n in counts.items():
            click.echo(f"  {name:<{width}}  {n:>9}")


@contextmanager
def _progress(description: str) -> Iterator[Progress]:
    """A transient progress bar on stderr (only on a terminal); yields the callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        SpinnerColumn,
        TextColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as RichProgress

    console = Console(stderr=True)
    bar = RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task(description, total=None)

    def report(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield report
