"""``qstui onec sync counterparties|nomenclature`` end to end against the simulator on
loopback, on both backends: the comparison writes nothing, --apply links and creates,
a second run changes nothing, conflicts wait for --prefer, a fault is one clear line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.outcome import one_line_error
from tests.services.client_support import company, inn10, make_team

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import Company, ExchangeLog, OnecLink
from qstui.domain.enums import Role
from qstui.onec.simulator import Simulator, Store
from qstui.services import rights as R
from qstui.services.access.users import create_user, grant
from qstui.services.clients.companies import update_company
from qstui.services.context import Context
from qstui.services.onec import bases

PASSWORD = "Пароль-1С-sync"
USER = "Бухгалтер"
KPP = "773601001"
KEYS = ["linked", "proposed", "only_here", "only_there", "changed", "conflicts", "applied"]


@pytest.fixture
def sim(db: Database) -> Iterator[Simulator]:
    store = Store("bp30")
    make_team(db)
    system = Context.system(db)
    for n, name in enumerate(["Альфа", "Бета", "Гамма"], 1):
        company(system, name, inn=inn10(n), kpp=KPP)
    counterparties = store.set_of("counterparty")
    for n, name in ((1, "Альфа"), (2, "Бета (1С)"), (9, "Икс")):
        store.create(counterparties, {"Description": name, "ИНН": inn10(n), "КПП": KPP})
    with Simulator(store, user=USER, password=PASSWORD) as simulator:
        bases.add_base(system, "bp", simulator.url, "bp30", USER)
        yield simulator


def run(db: Database, tmp_path: Path, *args: str, input: str | None = None) -> Result:
    return onec(db, tmp_path, "sync", *args, input=input)


def onec(db: Database, tmp_path: Path, *args: str, input: str | None = None) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        cli,
        ["--db", url, "onec", *args],
        input=input,
        env={"QSTUI_CONFIG": str(tmp_path / "c.toml"), "QSTUI_ONEC_BP_PASSWORD": PASSWORD},
    )


def links(db: Database) -> int:
    with db.reader() as s:
        return len(s.scalars(select(OnecLink.id)).all())


def test_the_comparison_writes_nothing_and_apply_links(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    shown = run(db, tmp_path, "counterparties", "--base", "bp", "--json")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    assert list(report) == KEYS
    assert report["linked"] == 0
    assert [(r["name"], r["their_name"], r["match"]) for r in report["proposed"]] == [
        ("Альфа", "Альфа", "inn_kpp"),
        ("Бета", "Бета (1С)", "inn_kpp"),
    ]
    assert report["proposed"][1]["differences"] == [
        {"field": "name", "ours": "Бета", "theirs": "Бета (1С)"}
    ]
    assert [r["name"] for r in report["only_here"]] == ["Гамма"]
    assert [r["their_name"] for r in report["only_there"]] == ["Икс"]
    assert report["applied"] == {"linked": 0, "created_here": 0, "created_there": 0, "updated": 0}
    assert links(db) == 0

    plain = run(db, tmp_path, "nomenclature", "--base", "bp")
    assert plain.exit_code == 0, plain.output
    assert "--apply" in plain.output

    applied = run(db, tmp_path, "counterparties", "--base", "bp", "--apply", "--create-here")
    assert applied.exit_code == 0, applied.output
    assert "Гамма" in applied.output  # still only here, listed
    again = run(
        db, tmp_path, "counterparties", "--base", "bp", "--apply", "--create-here", "--json"
    )
    assert again.exit_code == 0, again.output
    second = json.loads(again.output)
    assert second["linked"] == 3 and second["proposed"] == second["only_there"] == []
    assert second["applied"] == {"linked": 0, "created_here": 0, "created_there": 0, "updated": 0}
    assert links(db) == 3


def test_conflicts_wait_for_prefer(db: Database, tmp_path: Path, sim: Simulator) -> None:
    assert run(db, tmp_path, "counterparties", "--base", "bp", "--apply").exit_code == 0
    system = Context.system(db)
    with db.reader() as s:
        alpha = s.scalars(select(Company).where(Company.name == "Альфа")).one()
        alpha_id, version = alpha.id, alpha.version
    update_company(system, alpha_id, version, name="Альфа наша")
    (ref,) = [r["Ref_Key"] for r in sim.store.rows("Catalog_Контрагенты") if r["ИНН"] == inn10(1)]
    sim.store.update("Catalog_Контрагенты", ref, {"Description": "Альфа 1С"})
    left = run(db, tmp_path, "counterparties", "--base", "bp", "--apply")
    assert left.exit_code == 0, left.output
    assert "1 conflicts left" in left.output and "--prefer" in left.output
    settled = run(
        db, tmp_path, "counterparties", "--base", "bp", "--apply", "--prefer", "ours", "--json"
    )
    assert json.loads(settled.output)["applied"]["updated"] == 1
    assert sim.store.get("Catalog_Контрагенты", ref)["Description"] == "Альфа наша"


def test_a_fault_is_one_line_logged_and_the_next_run_completes(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    sim.faults.fail_after(0, "500", times=10, methods=["POST"])
    failed = run(db, tmp_path, "counterparties", "--base", "bp", "--apply", "--create-there")
    line = one_line_error(failed, "Гамма", "Nothing was changed in qstui")
    assert links(db) == 0
    with db.reader() as s:
        assert s.scalars(select(ExchangeLog.message)).all() == [line.removeprefix("Error: ")]
    sim.faults.clear()
    done = run(db, tmp_path, "counterparties", "--base", "bp", "--apply", "--create-there")
    assert done.exit_code == 0, done.output
    assert links(db) == 3


def test_the_journal_lists_the_runs_and_shows_a_runs_log(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    sim.faults.fail_after(0, "drop", methods=["POST"])  # a POST is not retried: no waiting
    failed = run(db, tmp_path, "counterparties", "--base", "bp", "--apply", "--create-there")
    error = one_line_error(failed, "Гамма").removeprefix("Error: ")
    sim.faults.clear()
    assert run(db, tmp_path, "counterparties", "--base", "bp", "--apply").exit_code == 0

    listed = onec(db, tmp_path, "journal", "--json")
    assert listed.exit_code == 0, listed.output
    newest, broken = json.loads(listed.output)
    assert (newest["status"], newest["base"], newest["kind"]) == ("ok", "bp", "sync_counterparties")
    assert (newest["created"], newest["updated"], newest["skipped"]) == (0, 2, 2)
    assert (broken["status"], broken["error_text"], broken["errors"]) == ("failed", error, 1)
    limited = json.loads(
        onec(db, tmp_path, "journal", "--base", "bp", "--limit", "1", "--json").output
    )
    assert [r["id"] for r in limited] == [newest["id"]]
    assert json.loads(onec(db, tmp_path, "journal", "--base", "nope", "--json").output) == []

    log = json.loads(onec(db, tmp_path, "journal", str(newest["id"]), "--json").output)
    assert log["run"]["id"] == newest["id"]
    assert [line["message"] for line in log["log"]] == ["Linked: «Альфа»", "Linked: «Бета»"]
    table = onec(db, tmp_path, "journal", str(broken["id"]))
    assert table.exit_code == 0 and "failed" in table.output and "Гамма" in table.output
    plain = onec(db, tmp_path, "journal")
    assert plain.exit_code == 0 and "sync_counterparties" not in plain.output
    assert "counterparties" in plain.output and "run failed" in plain.output
    one_line_error(onec(db, tmp_path, "journal", "999999"), "999999")


def test_an_unknown_base_is_one_line(db: Database, tmp_path: Path, sim: Simulator) -> None:
    bad = run(db, tmp_path, "counterparties", "--base", "nope")
    one_line_error(bad, "nope")


def test_as_a_manager_with_the_right_only_what_they_see(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    system = Context.system(db)
    create_user(system, "anna", "Anna", Role.MANAGER, "Anna-pass-1", "Продажи")
    args = ("counterparties", "--base", "bp", "--json", "--as", "anna", "--password-stdin")
    one_line_error(run(db, tmp_path, *args, input="Anna-pass-1\n"), "onec.exchange")
    grant(system, "anna", R.ONEC_EXCHANGE)
    shown = run(db, tmp_path, *args, input="Anna-pass-1\n")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    # the companies are nobody's: anna sees none, and is offered none of theirs to create
    assert report["proposed"] == report["only_here"] == []
    assert [r["their_name"] for r in report["only_there"]] == ["Икс"]
