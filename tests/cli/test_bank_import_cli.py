"""``qstui onec bank-import`` end to end through the root group, on both backends."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.onec.bank_support import DEBTS_AFTER, FIVE, OURS, five_payment_world, statement
from tests.services.deal_support import count

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import ExchangeRun, Payment
from qstui.services.access.users import grant
from qstui.services.deals import debt as Debt

pytestmark = pytest.mark.usefixtures("frozen_clock")


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "onec", "bank-import", *args])


@pytest.fixture
def day_file(tmp_path: Path) -> Path:
    path = tmp_path / "day.txt"
    path.write_bytes(statement(*FIVE))
    return path


def test_dry_run_then_apply_then_nothing_new(db, day_file):
    world = five_payment_world(db)
    grant(world.team.system, "head", "onec.exchange")
    sign_in(db, "head")
    result = run(db, str(day_file), "--as", "head", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) >= {"accounts", "incoming", "outgoing", "errors", "created"}
    assert out["accounts"] == [OURS] and out["outgoing"] == 1 and out["created"] == 0
    assert out["errors"] == []
    first = out["incoming"][0]
    assert {k: first[k] for k in ("number", "date", "amount", "payer_inn", "account")} == {
        "number": "101",
        "date": "2026-03-02",
        "amount": "118000.00",
        "payer_inn": "7701000001",
        "account": OURS,
    }
    assert first["payer_name"] == "ООО Плательщик" and first["purpose"].startswith("Оплата")
    assert [
        (r["match"]["status"], r["match"]["company_id"], r["match"]["deal_id"])
        for r in out["incoming"]
    ] == [
        ("matched", world.alfa, world.a1),
        ("matched", world.alfa, world.a2),
        ("matched", world.beta, world.b1),
        ("client", world.gamma, None),
        ("unmatched", None, None),
    ]
    assert count(db, Payment) == 0

    applied = json.loads(run(db, str(day_file), "--as", "head", "--apply", "--json").output)
    assert applied["created"] == 3
    debts = {
        name: Debt.deal_debt(world.team.system, getattr(world, name)).debt for name in DEBTS_AFTER
    }
    assert debts == DEBTS_AFTER
    again = run(db, str(day_file), "--apply", "--json")
    assert again.exit_code == 0 and json.loads(again.output)["created"] == 0
    assert count(db, Payment) == 3 and count(db, ExchangeRun) == 2


def test_the_table_and_the_summary(db, day_file):
    five_payment_world(db)
    result = run(db, str(day_file))
    assert result.exit_code == 0, result.output
    assert "Альфа: ноутбуки" in result.output and "invoice 345" in result.output
    assert "118,000.00" in result.output
    assert (
        "Incoming: 5 (matched 3, client only 1, ambiguous 0, unmatched 1); outgoing: 1"
        in result.output
    )
    assert "A dry run: nothing was written" in result.output
    applied = run(db, str(day_file), "--apply")
    assert "Payments created: 3" in applied.output
    assert "imported" in run(db, str(day_file)).output


def test_reported_lines_still_exit_zero(db, tmp_path):
    five_payment_world(db)
    path = tmp_path / "broken.txt"
    path.write_bytes(statement(FIVE[0], [*FIVE[1][:3], "Сумма=двести", *FIVE[1][4:]]))
    result = run(db, str(path), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["incoming"]) == 1
    assert [(e["line"], "not an amount" in e["message"]) for e in out["errors"]] == [(26, True)]


def test_bad_input_ends_in_one_line(db, tmp_path, day_file):
    five_payment_world(db)
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a statement")
    one_line_error(run(db, str(junk)), "photo.jpg", "not a bank statement")
    as_json = run(db, str(junk), "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.output)["errors"][0]["line"] == 1
    one_line_error(run(db, str(tmp_path / "missing.txt")), "missing.txt")
    sign_in(db, "anna")
    one_line_error(run(db, str(day_file), "--as", "anna"), "onec.exchange")
    assert count(db, Payment) == 0


def test_our_account_given(db, day_file):
    five_payment_world(db)
    out = json.loads(run(db, str(day_file), "--account", "40702810900000000777", "--json").output)
    assert out["accounts"] == ["40702810900000000777"]
    assert len(out["incoming"]) == 1 and out["outgoing"] == 5
    assert Decimal(out["incoming"][0]["amount"]) == Decimal("700.00")
