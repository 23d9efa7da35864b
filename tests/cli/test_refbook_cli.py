"""``qstui refbook list|show|export|import`` end to end through the root group, on both
backends: a book exported, edited as a spreadsheet user would, planned (nothing
written), applied, applied again (nothing changes); a file with a bad line is never
applied; a manager is refused. The module has its own database: it changes the books."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.services.deal_support import make_team

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import Source


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "refbook", *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def sources(db: Database) -> dict[str, tuple]:
    with db.reader() as s:
        return {r.name: (r.cost, r.is_active) for r in s.scalars(select(Source))}


def test_export_edit_plan_apply_and_again(own_database: Database, tmp_path: Path) -> None:
    db = own_database
    listed = json.loads(ok(run(db, "list", "--json")))
    assert {"sources", "stages", "currency_rates", "custom_fields"} <= {b["name"] for b in listed}
    file = tmp_path / "sources.csv"
    ok(run(db, "export", "sources", str(file)))
    raw = file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel in Russian
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["id", "name", "cost", "is_active"]
    before = sources(db)
    assert len(rows) - 1 == len(before)

    # a spreadsheet user renames one, deactivates one, adds two (one a would-be formula)
    rows[1][1] = rows[1][1] + " (старое)"
    rows[2][3] = "0"
    rows.append(["", "Вебинары", "15000,50", "1"])
    rows.append(["", '\'=HYPERLINK("x")', "", "1"])
    rows.append(["", "Листовки 2024", "", "0"])  # added already inactive
    with file.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)

    plan = json.loads(ok(run(db, "import", "sources", str(file), "--json")))
    assert (plan["add"], plan["change"], plan["errors"], plan["applied"]) == (3, 2, [], False)
    assert sources(db) == before  # a dry run writes nothing
    applied = ok(run(db, "import", "sources", str(file), "--apply"))
    assert "3 added, 2 changed" in applied
    after = sources(db)
    assert after[rows[1][1]][1] is True and after[rows[2][1]][1] is False
    assert str(after["Вебинары"][0]) == "15000.50" and after["Листовки 2024"][1] is False
    assert '=HYPERLINK("x")' in after  # kept as text, and quoted again on export
    again = json.loads(ok(run(db, "import", "sources", str(file), "--apply", "--json")))
    assert (again["add"], again["change"], again["same"]) == (0, 0, len(rows) - 1)
    exported = ok(run(db, "export", "sources", "-"))
    assert "'=HYPERLINK" in exported

    shown = ok(run(db, "show", "sources", "--active"))
    assert "Вебинары" in shown and rows[2][1] not in shown


def test_a_file_with_a_bad_line_is_never_applied(own_database: Database, tmp_path: Path) -> None:
    db = own_database
    file = tmp_path / "stages.csv"
    file.write_text(
        "pipeline_id;name;probability;days\n"
        "Продажа;Пилотный проект;55;14\n"
        "Нет такой;Аудит;10;3\n"
        "Продажа;Демонстрация;сто;\n",
        encoding="cp1251",
    )
    result = run(db, "import", "stages", str(file), "--apply")
    assert result.exit_code == 1
    assert "Line 3:" in result.output and "Line 4:" in result.output
    assert "nothing was imported" in result.output
    assert "Пилотный проект" not in ok(run(db, "show", "stages"))
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("name;colour\nСиний;1\n", encoding="utf-8")
    refused = run(db, "import", "sources", str(bad_header))
    one_line_error(refused, "colour")


def test_a_manager_may_not_import_or_read(own_database: Database, tmp_path: Path) -> None:
    make_team(own_database)
    sign_in(own_database, "anna")
    file = tmp_path / "x.csv"
    file.write_text("name\nЯрмарка\n", encoding="utf-8")
    refused = run(own_database, "import", "sources", str(file), "--apply", "--as", "anna")
    one_line_error(refused, "Access denied")
    assert "Ярмарка" not in sources(own_database)
    one_line_error(run(own_database, "list", "--as", "anna"), "Access denied")
