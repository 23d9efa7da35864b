"""``qstui demo``: fill a database with demo data (after ``qstui db init``)."""

from __future__ import annotations

from datetime import date, datetime

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from qstui.cli.state import state
from qstui.db.engine import Database
from qstui.db.models import Company
from qstui.demo import LOGINS, PASSWORD, SIZES, STAGES, check_schema, generate
from qstui.i18n import N_, _

STAGE_LABELS = {
    "setup": N_("Reference data"),
    "companies": N_("Companies"),
    "deals": N_("Deals"),
    "events": N_("Interactions"),
    "search": N_("Search index"),
}


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD") from None


@click.command("demo")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database to fill (overrides the global --db).",
)
@click.option(
    "--size",
    type=click.Choice(list(SIZES)),
    default="small",
    show_default=True,
    help="small: 300 companies; large: 100k companies, 1M interactions.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (exit 0) if the database already has companies.",
)
@click.option("--today", callback=_parse_day, hidden=True, help="Anchor date (YYYY-MM-DD).")
def demo(db_url: str | None, size: str, seed: int, if_empty: bool, today: date | None) -> None:
    """Fill an initialized database with realistic demo data.

    Creates the users admin, head, ivanov, petrova and sidorov (password "demo"),
    companies with contacts and requisites, deals, interactions and plans relative to
    today, products, a knowledge base and more. Run "qstui db init" first.
    """
    shared = state()
    settings = shared.settings
    db = (
        Database(db_url, lock_timeout=settings.lock_timeout, server_timeout=settings.server_timeout)
        if db_url
        else shared.database()
    )
    try:
        _run(db, size, seed, if_empty, today)
    finally:
        if db_url:
            db.dispose()


def _run(db: Database, size: str, seed: int, if_empty: bool, today: date | None) -> None:
    check_schema(db)
    with db.reader() as s:
        has_companies = s.scalar(select(Company.id).limit(1)) is not None
    if has_companies:
        if if_empty:
            click.echo(_("The database already has companies: demo data not added."))
            return
        raise click.ClickException(
            _("The database already has companies: demo data goes into an empty database only")
        )
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks = {stage: bar.add_task(_(STAGE_LABELS[stage]), total=None) for stage in STAGES}

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        result = generate(db, size, seed, today, progress)
    click.echo(
        _("Demo data ({size}) added to {db} in {seconds:.1f} s:").format(
            size=size, db=db.display_url, seconds=result.seconds
        )
    )
    for table, count in sorted(result.counts.items()):
        click.echo(f"  {table:<20} {count:>9}")
    click.echo(
        _("Log in as {logins} with the password “{password}”.").format(
            logins=", ".join(LOGINS), password=PASSWORD
        )
    )
