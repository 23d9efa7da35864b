"""``qstui onec deal DEAL_ID invoice|payments|documents`` and ``qstui onec sync
documents`` end to end against the simulator on loopback, on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.cli.outcome import one_line_error
from tests.services.deal_support import PASSWORD as TEAM_PASSWORD
from tests.services.onec_deal_support import World, day_1c, document_in_1c, make_world
from tests.services.onec_sync_support import PASSWORD, USER

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.domain.clock import today
from qstui.onec import mapping as M
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import seed
from qstui.services.deals.debt import deal_debt


@pytest.fixture
def world(db: Database, tmp_path: Path, frozen_clock: object) -> Iterator[World]:
    store = Store("bp30")
    seeded = seed(store, [], [])
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        yield make_world(db, sim, seeded, tmp_path)


def run(w: World, tmp_path: Path, *args: str) -> Result:
    """``qstui onec ARGS`` as a user of the team (``--as LOGIN`` among ``args``)."""
    url = w.db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        cli,
        ["--db", url, "onec", *args, "--password-stdin"],
        input=TEAM_PASSWORD + "\n",
        env={"QSTUI_CONFIG": str(tmp_path / "c.toml"), "QSTUI_ONEC_BP_PASSWORD": PASSWORD},
    )


def test_a_deal_is_invoiced_paid_and_synced_from_the_command_line(
    world: World, tmp_path: Path
) -> None:
    w = world
    deal = str(w.deal_id)
    issued = run(w, tmp_path, "deal", deal, "invoice", "--base", "bp", "--json", "--as", "anna")
    assert issued.exit_code == 0, issued.output
    report = json.loads(issued.output)
    assert report["invoice_created"] is True and report["invoice_no"]
    again = run(w, tmp_path, "deal", deal, "invoice", "--base", "bp", "--as", "anna")
    assert again.exit_code == 0, again.output
    assert report["invoice_no"] in again.output and "created 0" in again.output

    head = {
        "counterparty": w.counterparty,
        "organization": w.seeded.organization,
        "currency": w.seeded.currencies["RUB"],
        "date": day_1c(today()),
    }
    document_in_1c(
        w.store, "payment", head, [{"contract": w.contract_ref(), "amount": Decimal("999.98")}]
    )
    document_in_1c(
        w.store, M.SHIPMENT, {**head, "contract": w.contract_ref(), "total": Decimal("6999.98")}
    )
    paid = run(w, tmp_path, "deal", deal, "payments", "--base", "bp", "--json", "--as", "anna")
    assert paid.exit_code == 0, paid.output
    assert json.loads(paid.output)["created"] == 1
    synced = run(
        w,
        tmp_path,
        "sync",
        "documents",
        "--base",
        "bp",
        "--since",
        today().isoformat(),
        "--json",
        "--as",
        "anna",
    )
    assert synced.exit_code == 0, synced.output
    assert (json.loads(synced.output)["deals"], json.loads(synced.output)["created"]) == (1, 1)
    assert deal_debt(w.anna, w.deal_id).debt == Decimal("6000.00")


def test_a_refusal_is_one_clear_line(world: World, tmp_path: Path) -> None:
    w = world
    refused = run(w, tmp_path, "deal", str(w.deal_id), "invoice", "--base", "bp", "--as", "boris")
    assert refused.exit_code != 0
    one_line_error(refused)
    bad_day = run(
        w, tmp_path, "sync", "documents", "--base", "bp", "--since", "вчера", "--as", "anna"
    )
    assert bad_day.exit_code == 2 and "DD.MM.YYYY" in bad_day.output
