"""``qstui onec deal DEAL_ID invoice|payments|documents --base NAME``: a deal in 1C
(E3–E6, E8) — issue its invoice, check its payment, get its documents; and the
documents and payments of every linked deal (``qstui onec sync documents``, which
``cli.onec.sync`` hands over here)."""

from __future__ import annotations

from datetime import date

import click

from qstui.cli.common import as_option, context, emit_json, json_option
from qstui.cli.state import state
from qstui.domain.formatting import parse_day
from qstui.domain.onec_deal import ACTIONS, DealRunResult
from qstui.i18n import _
from qstui.onec.secrets import Secrets


def since_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter(_("expected a date as DD.MM.YYYY or YYYY-MM-DD")) from None


def _show(result: DealRunResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.as_dict())
    else:
        click.echo(result.summary())


@click.command("deal")
@click.argument("deal_id", type=click.IntRange(min=1))
@click.argument("action", type=click.Choice(ACTIONS))
@click.option("--base", "base_name", required=True, help="The 1C base.")
@json_option
@as_option
def deal(deal_id: int, action: str, base_name: str, as_json: bool, as_login: str | None) -> None:
    """A deal in 1C: issue and post its invoice (invoice), import its payments
    (payments), or its shipments and invoice-factures (documents). Requires the right
    onec.exchange."""
    from qstui.services.onec.deal_run import run_deal

    _show(run_deal(context(as_login), deal_id, base_name, action, secrets()), as_json)


def sync_documents(base_name: str, since: date | None, as_json: bool, as_login: str | None) -> None:
    """``qstui onec sync documents``: every linked deal's documents and payments."""
    from qstui.services.onec.deal_run import sync_documents as run

    _show(run(context(as_login), base_name, secrets(), since=since), as_json)


def secrets() -> Secrets:
    return Secrets.of(state().settings.config_file)
