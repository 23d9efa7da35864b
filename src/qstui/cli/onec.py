"""``qstui onec``: bases of 1C (E1), the reference sync (E2) and the 1C simulator.

The password of a base's 1C user is read from stdin (``--password-stdin``), never from
the command line (``ps`` shows command lines to every user), and kept in the admin's
config file or the environment (``qstui.onec.secrets``), never in the shared database.
"""

from __future__ import annotations

import os
import sys
from datetime import date

import click
from rich.table import Table

from qstui.cli.bank_import import bank_import
from qstui.cli.common import (
    RecordId,
    as_option,
    context,
    emit_json,
    json_option,
    stdin_password,
    table_console,
)
from qstui.cli.onec_deal import deal, since_option, sync_documents
from qstui.cli.state import state
from qstui.i18n import N_, _
from qstui.onec import mapping as M
from qstui.onec.secrets import ENV_SOURCE, FILE_SOURCE, Secrets, env_name

ROLE_LABELS = {
    M.COUNTERPARTY: N_("counterparties"),
    M.PARTNER: N_("partners"),
    M.CONTRACT: N_("contracts"),
    M.PRODUCT: N_("nomenclature"),
    M.UNIT: N_("units of measure"),
    M.CURRENCY: N_("currencies"),
    M.ORGANIZATION: N_("organisations"),
    M.INVOICE: N_("invoices to buyers"),
    M.PAYMENT: N_("incoming payments"),
    M.SHIPMENT: N_("shipments"),
    M.INVOICE_FACTURE: N_("invoice-factures"),
}
SIMULATOR_USER = "Администратор"
SIMULATOR_PASSWORD = "demo"  # the demo's, like the demo users' (qstui demo)
SIMULATOR_PASSWORD_ENV = "QSTUI_ONEC_SIMULATOR_PASSWORD"


def _secrets() -> Secrets:
    return Secrets.of(state().settings.config_file)


def _source_text(source: str | None, name: str) -> str:
    if source == ENV_SOURCE:
        return _("environment ({env})").format(env=env_name(name))
    if source == FILE_SOURCE:
        return _("config file")
    return _("missing")


@click.group("onec")
def onec() -> None:
    """Exchange with 1C:Enterprise over its standard OData interface; bank statements."""


@onec.group("base")
def base() -> None:
    """Bases of 1C qstui exchanges with (requires the right admin)."""


@base.command("add")
@click.argument("name")
@click.option(
    "--url",
    required=True,
    help="The base's OData address: http(s)://host/base/odata/standard.odata/",
)
@click.option(
    "--config",
    "config_kind",
    type=click.Choice(M.CONFIG_KINDS),
    required=True,
    help="The configuration: bp30 (Бухгалтерия 3.0), ut11 (УТ 11), unf (УНФ).",
)
@click.option("--user", "login", required=True, help="The 1C user qstui logs in as.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the 1C user's password from the first line of stdin and keep it in your "
    "config file (mode 600). Without it, set QSTUI_ONEC_<NAME>_PASSWORD.",
)
def add_base(name: str, url: str, config_kind: str, login: str, password_stdin: bool) -> None:
    """Add the 1C base NAME."""
    from qstui.services.onec import bases

    ctx = state().context()
    secrets = _secrets()
    password = stdin_password() if password_stdin else None
    if password is not None:
        secrets.check_writable()
    base_id = bases.add_base(ctx, name, url, config_kind, login)
    if password is None:
        click.echo(
            _("1C base {name} added (id {id}); give its password in {env}").format(
                name=name, id=base_id, env=env_name(name)
            )
        )
        return
    try:
        secrets.store(name, password)
    except BaseException:
        bases.remove_base(ctx, name)  # no base left without the password the admin gave
        raise
    click.echo(
        _("1C base {name} added (id {id}); its password is kept in {file}").format(
            name=name, id=base_id, file=secrets.config_file
        )
    )


@base.command("list")
@json_option
def list_bases(as_json: bool) -> None:
    """List the 1C bases."""
    from qstui.services.onec import bases

    infos = bases.list_bases(state().context(), _secrets())
    if as_json:
        emit_json(infos)
        return
    if not infos:
        click.echo(_("No 1C bases yet: add one with “qstui onec base add”"))
        return
    table = Table()
    for title in (_("Name"), _("Configuration"), _("URL"), _("1C user"), _("Password")):
        table.add_column(title)
    for info in infos:
        table.add_row(
            info.name,
            info.config_kind,
            info.url,
            info.login,
            _source_text(info.password_source, info.name),
        )
    table_console().print(table)


@base.command("remove")
@click.argument("name")
def remove_base(name: str) -> None:
    """Remove the 1C base NAME, its links and its kept password."""
    from qstui.services.onec import bases

    bases.remove_base(state().context(), name)
    _secrets().forget(name.strip())
    click.echo(_("1C base {name} removed").format(name=name.strip()))


@base.command("test")
@click.argument("name")
@json_option
def test_base(name: str, as_json: bool) -> None:
    """Connect to the 1C base NAME and check that it publishes what qstui needs."""
    from qstui.services.onec import bases

    check = bases.check_base(state().context(), name, _secrets())
    if as_json:
        emit_json(
            {
                "name": check.name,
                "url": check.url,
                "config": check.config_kind,
                "ok": check.ok,
                "published": [o.entity_set for o in check.objects if o.published],
                "missing": [o.entity_set for o in check.missing],
                "menu_path": check.menu_path,
            }
        )
    else:
        for obj in check.objects:
            mark = "✓" if obj.published else "✗"
            click.echo(f"{mark} {obj.entity_set} ({_(ROLE_LABELS[obj.role])})")
    if not check.ok:
        raise click.ClickException(
            _(
                "{count} objects are not published in 1C base {name}: publish them in 1C, «{menu}»"
            ).format(count=len(check.missing), name=check.name, menu=check.menu_path)
        )
    if not as_json:
        click.echo(_("1C base {name} publishes every object qstui needs").format(name=check.name))


@onec.command("simulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8089,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free one).",
)
@click.option(
    "--config",
    "config_kind",
    type=click.Choice(M.CONFIG_KINDS),
    default=M.BP30,
    show_default=True,
    help="The configuration to simulate.",
)
@click.option(
    "--seed-from-db",
    is_flag=True,
    help="Fill the base from this database's companies and products (some match, "
    "some differ, some exist on one side only); default: a built-in set.",
)
@click.option(
    "--user",
    "login",
    default=SIMULATOR_USER,
    show_default=True,
    help="The 1C user the simulator accepts.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help=f"Read that user's password from stdin (default: ${SIMULATOR_PASSWORD_ENV}, "
    f"else “{SIMULATOR_PASSWORD}”).",
)
def simulator(
    host: str, port: int, config_kind: str, seed_from_db: bool, login: str, password_stdin: bool
) -> None:
    """Run a simulated 1C base (standard OData interface) until stopped (Ctrl+C)."""
    from qstui.onec.simulator import Simulator, Store
    from qstui.onec.simulator.seed import built_in, seed

    if password_stdin:
        password = stdin_password()
    else:
        password = os.environ.get(SIMULATOR_PASSWORD_ENV) or SIMULATOR_PASSWORD
    store = Store(config_kind)
    if seed_from_db:
        from qstui.services.onec.simulator_seed import seed_records

        companies, products = seed_records(state().context())
    else:
        companies, products = built_in()
    summary = seed(store, companies, products)
    try:
        server = Simulator(store, user=login, password=password, host=host, port=port)
    except OSError as exc:
        raise click.ClickException(
            _("Cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        ) from None
    counterparties = len(summary.same + summary.other_name + summary.other_kpp + summary.only_there)
    click.echo(
        _(
            "1C simulator ({config}) at {url} — user {user}; {count} counterparties; "
            "Ctrl+C stops it"
        ).format(config=config_kind, url=server.url, user=login, count=counterparties)
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.stop()


onec.add_command(bank_import)
onec.add_command(deal)


CATEGORY_LABELS = {
    "proposed": N_("Proposed"),
    "only_here": N_("Only in qstui"),
    "only_there": N_("Only in 1C"),
    "changed": N_("Changed"),
    "conflicts": N_("Conflict"),
}


@onec.command("sync")
@click.argument("kind", type=click.Choice(["counterparties", "nomenclature", "documents"]))
@click.option("--base", "base_name", required=True, help="The 1C base to sync with.")
@click.option(
    "--since",
    metavar="DATE",
    callback=since_option,
    help="documents: only those dated from this day on (DD.MM.YYYY or YYYY-MM-DD).",
)
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Do it: link proposed matches, carry one-sided changes over, and what the other "
    "flags say. Without it the comparison is shown and nothing is written.",
)
@click.option("--create-here", is_flag=True, help="Create in qstui what is only in 1C.")
@click.option("--create-there", is_flag=True, help="Create in 1C what is only in qstui.")
@click.option(
    "--prefer",
    type=click.Choice(["ours", "theirs"]),
    help="Settle conflicts (and differing proposed pairs): keep ours, or take 1C's. "
    "Without it conflicts are left and listed.",
)
@json_option
@as_option
def sync(
    kind: str,
    base_name: str,
    apply_: bool,
    create_here: bool,
    create_there: bool,
    prefer: str | None,
    as_json: bool,
    as_login: str | None,
    since: date | None = None,
) -> None:
    """Compare (and with --apply, sync) counterparties or nomenclature with a 1C base;
    documents: bring the documents and payments of every deal linked to a contract of
    the base (requires the right onec.exchange)."""
    if kind == "documents":
        sync_documents(base_name, since, as_json, as_login)
        return
    from qstui.domain.onec import SyncPolicy
    from qstui.services.onec.sync_run import apply_references, compare_references

    ctx = context(as_login)
    if apply_:
        policy = SyncPolicy(create_here, create_there, prefer)
        result = apply_references(ctx, base_name, kind, _secrets(), policy=policy)
    else:
        result = compare_references(ctx, base_name, kind, _secrets())
    report = result.as_dict()
    if as_json:
        emit_json(report)
        return
    _print_comparison(report)
    applied = report["applied"]
    if apply_:
        click.echo(
            _(
                "Applied: linked {linked}, created in qstui {created_here}, created in 1C "
                "{created_there}, updated {updated}"
            ).format(**applied)
        )
        if report["conflicts"] and prefer is None:
            click.echo(
                _("{count} conflicts left: settle them with --prefer ours|theirs").format(
                    count=len(report["conflicts"])
                )
            )
    else:
        click.echo(_("Nothing was written: add --apply to sync"))


def _print_comparison(report: dict) -> None:
    counts = ", ".join(f"{_(label)}: {len(report[key])}" for key, label in CATEGORY_LABELS.items())
    click.echo(_("Linked: {count}").format(count=report["linked"]) + "; " + counts)
    rows = [(key, row) for key in CATEGORY_LABELS for row in report[key]]
    if not rows:
        return
    table = Table()
    for title in (_("Row"), _("In qstui"), _("In 1C"), _("INN / article"), _("Differences")):
        table.add_column(title)
    for key, row in rows:
        label = _(CATEGORY_LABELS[key])
        if row["changed_side"]:
            side = _("in qstui") if row["changed_side"] == "here" else _("in 1C")
            label = f"{label} ({side})"
        elif row["match"]:
            label = f"{label} ({row['match']})"
        diffs = "; ".join(f"{d['field']}: {d['ours']} → {d['theirs']}" for d in row["differences"])
        table.add_row(label, row["name"], row["their_name"], row["code"], diffs)
    table_console().print(table)


@onec.command("journal")
@click.argument("run_id", required=False, type=RecordId(N_("Exchange run")))
@click.option("--base", "base_name", help="Only the runs with this 1C base.")
@click.option("--kind", help="Only the runs of this kind (sync_counterparties, bank_import…).")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="Runs shown."
)
@json_option
@as_option
def journal(
    run_id: int | None,
    base_name: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
    as_login: str | None,
) -> None:
    """The exchange journal: the runs, newest first, or one run's log with RUN_ID
    (requires the right onec.exchange)."""
    from qstui.domain import formatting as fmt
    from qstui.services.onec.journal_read import kind_label, list_runs, run_log, status_label

    ctx = context(as_login)
    if run_id is not None:
        run, lines = run_log(ctx, run_id)
        if as_json:
            emit_json({"run": run, "log": lines})
            return
        click.echo(
            f"#{run.id} {fmt.moment(run.started_at)} {kind_label(run.kind)} "
            f"{run.base or '-'} {status_label(run.status)}: {run.error_text or run.summary}"
        )
        table = Table()
        for title in (_("When"), _("Level"), _("Message")):
            table.add_column(title)
        for line in lines:
            table.add_row(fmt.moment(line.logged_at), line.level.value, line.message)
        table_console().print(table)
        return
    runs = list_runs(ctx, base=base_name, kind=kind, limit=limit)
    if as_json:
        emit_json(runs)
        return
    if not runs:
        click.echo(_("No exchange runs yet"))
        return
    table = Table()
    for title in (
        _("Run No."), _("When"), _("Who"), _("Kind"), _("Base"), _("Status"),
        _("Created"), _("Updated"), _("Skipped"), _("Errors"), _("Summary"),
    ):  # fmt: skip
        table.add_column(title)
    for run in runs:
        table.add_row(
            str(run.id), fmt.moment(run.started_at), run.user, kind_label(run.kind),
            run.base, status_label(run.status), str(run.created), str(run.updated),
            str(run.skipped), str(run.errors), run.error_text or run.summary,
        )  # fmt: skip
    table_console().print(table)
