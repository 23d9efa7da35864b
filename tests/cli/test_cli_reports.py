"""``qstui report …`` end to end through the root group, on both backends."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.conftest import file_mode, wipe
from tests.services.report_support import PERIOD, World, build_world, deal_seen, in_period

from qstui.cli.main import cli
from qstui.cli.reports import report
from qstui.db.engine import Database
from qstui.domain.enums import DealStatus
from qstui.services.reports.ready import READY

pytestmark = pytest.mark.usefixtures("frozen_clock")
SPAN = f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}"


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "report", *args])


@pytest.fixture(scope="module")
def shared_world(_session_database: Any, frozen_clock: Any) -> World:
    """One world per backend for the module: its commands only read."""
    wipe(_session_database)
    return build_world(_session_database)


@pytest.fixture
def world(shared_world: World) -> World:
    sign_in(shared_world.team.system.db, "anna", "head")  # the tokens live per test
    return shared_world


def test_every_ready_report_has_a_command() -> None:
    assert set(READY) <= set(report.commands)


def test_sales_json_as_the_head(world: World) -> None:
    db = world.team.system.db
    result = run(db, "sales", "--as", "head", "--period", SPAN, "--by", "manager,month",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"report", "currency", "period", "rows", "totals"}
    won = [
        d
        for d in world.deals
        if d.status is DealStatus.WON
        and in_period(d.closed_on, PERIOD)
        and deal_seen(world, "head", d)
    ]
    assert data["totals"]["count"] == len(won)
    assert sum(r["count"] for r in data["rows"]) == len(won)
    assert sum(Decimal(r["amount"]) for r in data["rows"]) == Decimal(data["totals"]["amount"])
    assert all(set(r) == {"manager", "month", "count", "amount"} for r in data["rows"])


def test_the_measure_chooses_the_columns(world: World) -> None:
    db = world.team.system.db
    both = json.loads(run(db, "sales", "--period", SPAN, "--format", "json").stdout)
    counted = run(db, "sales", "--period", SPAN, "--measure", "count", "--format", "json")
    assert counted.exit_code == 0, counted.output
    rows = json.loads(counted.stdout)["rows"]
    assert rows == [{"manager": r["manager"], "count": r["count"]} for r in both["rows"]]
    weighted = run(db, "funnel", "--measure", "weighted", "--format", "json")
    assert weighted.exit_code == 0, weighted.output
    funnel = json.loads(weighted.stdout)
    assert {k for r in funnel["rows"] for k in r} == {
        "pipeline", "stage", "weighted", "conversion", "days"
    }  # fmt: skip
    assert set(funnel["totals"]) <= {"weighted", "conversion", "days"}


def test_table_csv_and_xlsx(world: World, tmp_path: Path) -> None:
    db = world.team.system.db
    shown = run(db, "refusals", "--period", SPAN)
    assert shown.exit_code == 0, shown.output
    assert "Lost deals" in shown.stdout and "Total" in shown.stdout
    as_csv = run(db, "claims", "--period", SPAN, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.stdout), delimiter=";"))
    assert rows[0] == ["Claim status", "Department", "Claims"]
    assert rows[-1][0] == "Total"
    out = tmp_path / "sources.xlsx"
    written = run(db, "sources", "--period", SPAN, "--currency", "usd", "--format", "xlsx",
                  "--out", str(out))  # fmt: skip
    assert written.exit_code == 0, written.output
    assert file_mode(out) == 0o600
    sheet = load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["Source", "Deals started"]


def test_pipeline_by_name(world: World) -> None:
    db = world.team.system.db
    listed = run(db, "sales", "--pipeline", "no such pipeline")
    one_line_error(listed, "No pipeline named no such pipeline")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("sales", "--period", "2026-13-01..2026-12-31"), "A period is FROM..TO"),
        (("sales", "--period", "2026-12-31..2026-01-01"), "ends before it begins"),
        (("sales", "--by", "planet"), "Unknown dimension planet"),
        (("sales", "--by", "month,year"), "at most one period"),
        (("sales", "--format", "xlsx"), "--out"),
        (("sales", "--currency", "XYZ"), "Unknown currency XYZ"),
        (("sales", "--measure", "weighted"), "counted in: money, count"),
        (("receivables", "--measure", "count"), "applies to sales, funnel"),
    ],
)
def test_bad_input_ends_in_one_line(world: World, args: tuple[str, ...], fragment: str) -> None:
    one_line_error(run(world.team.system.db, *args), fragment)


def test_a_manager_cannot_export(world: World, tmp_path: Path) -> None:
    db = world.team.system.db
    shown = run(db, "sales", "--as", "anna")
    assert shown.exit_code == 0, shown.output
    assert "Only your clients and deals" in shown.stdout
    refused = run(db, "sales", "--as", "anna", "--format", "csv", "--out", str(tmp_path / "a.csv"))
    one_line_error(refused)
    assert not (tmp_path / "a.csv").exists()
