"""``qstui deal …`` end to end through the root group, on both backends."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.conftest import FROZEN_NOW, file_mode

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import Company, Product, RefusalReason, Unit
from qstui.domain.enums import FieldEntity, FieldKind, Role
from qstui.domain.normalize import company_name, fold
from qstui.services import deals as D
from qstui.services.access.users import create_user
from qstui.services.clients import custom_fields as F
from qstui.services.context import Context, context_for
from qstui.services.deals import documents as Docs
from qstui.services.deals import items as I
from qstui.services.deals import payments as P
from qstui.services.deals.deal import set_custom_values

pytestmark = pytest.mark.usefixtures("frozen_clock")  # "today" is the frozen day
TODAY = FROZEN_NOW.date()


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "deal", *args])


def _company(db: Database, name: str, manager_id: int | None) -> int:
    with db.transaction() as s:
        obj = Company(
            name=name, name_fold=fold(name), name_key=company_name(name), manager_id=manager_id
        )
        s.add(obj)
        s.flush()
        return obj.id


def _product(db: Database, name: str, price: str) -> int:
    with db.transaction() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.okei_code == "796"))
        obj = Product(name=name, name_fold=fold(name), price=Decimal(price), unit_id=unit_id)
        s.add(obj)
        s.flush()
        return obj.id


@pytest.fixture
def deals(db):
    """anna: an overdue deal with products, payments and an invoice, and a lost one;
    boris: one deal."""
    system = Context.system(db)
    for login, name in (("anna", "Анна Иванова"), ("boris", "Борис Петров")):
        create_user(system, login, name, Role.MANAGER, "Пароль-123", "Продажи")
    sign_in(db, "anna", "boris")
    anna, boris = context_for(db, "anna"), context_for(db, "boris")
    mine = _company(db, "Ромашка", anna.user_id)
    theirs = _company(db, "Лютик", boris.user_id)
    main = D.create_deal(anna, mine, "Поставка ноутбуков", started_on=TODAY - timedelta(days=20))
    v = I.add_item(anna, main, 1, _product(db, 'Ноутбук <i>"Pro"</i>', "50000.00"), 2).deal_version
    Docs.add_document(anna, main, "invoice", "СЧ-1", TODAY, "100000.00")
    P.add_payment(anna, main, "actual", TODAY, "30000.00", doc_no="ПП-1")
    P.add_payment(anna, main, "actual", TODAY, "20000.00")
    P.add_payment(anna, main, "planned", TODAY + timedelta(days=7), "50000.00")
    lost = D.create_deal(anna, mine, "Монтаж сети", started_on=TODAY - timedelta(days=5))
    with db.reader() as s:
        reason = s.scalar(select(RefusalReason.id).order_by(RefusalReason.sort_no).limit(1))
    D.lose_deal(anna, lost, 1, reason)
    other = D.create_deal(boris, theirs, "Обучение", started_on=TODAY)
    return {"main": main, "lost": lost, "other": other, "main_version": v}


def test_list_as_a_manager_shows_only_their_deals(db, deals):
    result = run(db, "list", "--as", "anna", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["title"] for r in rows] == ["Монтаж сети", "Поставка ноутбуков"]
    main = rows[1]
    assert main["amount"] == "100000.00" and main["currency_code"] == "RUB"
    assert main["is_overdue"] is True and main["status"] == "open"
    assert main["stage_name"] == "Первичный контакт"

    everything = json.loads(run(db, "list", "--json").output)
    assert {r["id"] for r in everything} == {deals["main"], deals["lost"], deals["other"]}

    def titles(*args: str) -> list[str]:
        result = run(db, "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [r["title"] for r in json.loads(result.output)]

    assert titles("--status", "lost") == ["Монтаж сети"]
    assert titles("--manager", "boris") == ["Обучение"]
    assert titles("--overdue") == ["Поставка ноутбуков"]
    assert titles("--stage", "первичный контакт", "--status", "open") == [
        "Обучение",
        "Поставка ноутбуков",
    ]
    assert titles("--search", "ноут") == ["Поставка ноутбуков"]
    assert titles("--limit", "1") == ["Обучение"]


def test_list_as_a_table(db, deals):
    result = run(db, "list", "--as", "anna")
    assert result.exit_code == 0, result.output
    assert "Поставка ноутбуков" in result.output and "Монтаж сети" in result.output
    assert "Обучение" not in result.output
    assert "100,000.00" in result.output
    assert "(overdue)" in result.output and "Lost" in result.output
    assert "Shown 2 of 2" in result.output
    empty = run(db, "list", "--as", "anna", "--status", "won")
    assert empty.exit_code == 0 and "No deals found" in empty.output


def test_show_the_card(db, deals):
    result = run(db, "show", str(deals["main"]), "--as", "anna")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "Поставка ноутбуков",
        "Ромашка",
        "Анна Иванова",
        "Первичный контакт",
        "Выявление потребности",
        "(overdue)",
        'Ноутбук <i>"Pro"</i>',
        "СЧ-1",
        "ПП-1",
        "Planned",
        "Invoice",
        "Debt: 50,000.00\u00a0₽",
    ):
        assert text in out, text

    card = json.loads(run(db, "show", str(deals["main"]), "--as", "anna", "--json").output)
    assert card["title"] == "Поставка ноутбуков"
    assert card["version"] == deals["main_version"]
    assert card["debt"] == {
        "currency_code": "RUB",
        "invoiced": "100000.00",
        "shipped": "0.00",
        "paid": "50000.00",
        "debt": "50000.00",
    }
    assert [i["amount"] for i in card["items"]] == ["100000.00"]
    assert sorted(p["kind"] for p in card["payments"]) == ["actual", "actual", "planned"]
    assert [d["doc_no"] for d in card["documents"]] == ["СЧ-1"]
    assert card["stages"][0]["is_overdue"] is True

    lost = json.loads(run(db, "show", str(deals["lost"]), "--json").output)
    assert lost["status"] == "lost" and lost["lost_reason_name"]


def test_show_includes_the_custom_fields(db, deals):
    admin = Context.system(db)
    budget = F.create_field(admin, "budget", "Бюджет", FieldKind.NUMBER, entity=FieldEntity.DEAL)
    urgent = F.create_field(admin, "urgent", "Срочно", FieldKind.FLAG, entity=FieldEntity.DEAL)
    F.create_field(admin, "tender", "Тендер", FieldKind.DATE, entity=FieldEntity.DEAL)
    anna = context_for(db, "anna")
    set_custom_values(anna, deals["main"], deals["main_version"], {budget: "1500,5", urgent: "нет"})
    out = run(db, "show", str(deals["main"]), "--as", "anna").output
    assert next(line for line in out.splitlines() if "Бюджет" in line).split() == [
        "Бюджет",
        "1,500.5",
    ]
    assert next(line for line in out.splitlines() if "Срочно" in line).split() == ["Срочно", "no"]
    assert "Тендер" not in out  # not filled in
    card = json.loads(run(db, "show", str(deals["main"]), "--as", "anna", "--json").output)
    assert [(f["code"], f["value"], f["is_active"]) for f in card["custom_fields"]] == [
        ("budget", "1500.5000", True),
        ("urgent", False, True),
        ("tender", None, True),
    ]


def test_show_tells_hand_made_documents_and_an_advance(db, deals):
    anna = context_for(db, "anna")
    Docs.add_hand_document(anna, deals["main"], "shipment", "РН-7", TODAY, "1000.00")
    out = run(db, "show", str(deals["main"]), "--as", "anna").output
    row = next(line for line in out.splitlines() if "РН-7" in line)
    assert "by hand" in row
    assert "1C" in next(line for line in out.splitlines() if "СЧ-1" in line)
    # paid 50 000 more: an advance, never a negative debt
    P.add_payment(anna, deals["main"], "actual", TODAY, "60000.00")
    out = run(db, "show", str(deals["main"]), "--as", "anna").output
    assert "Debt: advance 10,000.00 ₽" in out and "-10,000.00" not in out


def test_show_refuses_what_the_user_does_not_see(db, deals):
    one_line_error(
        run(db, "show", str(deals["other"]), "--as", "anna"), str(deals["other"]), "not found"
    )
    one_line_error(run(db, "show", "999999"), "not found")
    one_line_error(run(db, "list", "--manager", "nobody"), "nobody")
    one_line_error(run(db, "list", "--as", "ghost"), "ghost")
    assert run(db, "list", "--status", "maybe").exit_code == 2


def test_proposal_files(db, deals, tmp_path, open_umask):
    html_path = tmp_path / "kp.html"
    result = run(db, "proposal", str(deals["main"]), str(html_path), "--as", "anna")
    assert result.exit_code == 0, result.output
    assert str(html_path) in result.output
    assert file_mode(html_path) == 0o600  # the client's data, until the manager sends it
    page = html_path.read_text(encoding="utf-8")
    assert "Ноутбук &lt;i&gt;&quot;Pro&quot;&lt;/i&gt;" in page and "<i>" not in page
    assert "Сто тысяч рублей 00 копеек" in page

    txt_path = tmp_path / "kp.txt"
    assert run(db, "proposal", str(deals["main"]), str(txt_path)).exit_code == 0
    text = txt_path.read_text(encoding="utf-8")
    assert "Total: 100,000.00" in text and "incl. VAT 20" in text

    one_line_error(
        run(db, "proposal", str(deals["main"]), str(tmp_path / "kp.pdf")), ".txt, .html or .md"
    )
    one_line_error(
        run(db, "proposal", str(deals["other"]), str(tmp_path / "x.md"), "--as", "anna"),
        "not found",
    )
    assert not (tmp_path / "kp.pdf").exists() and not (tmp_path / "x.md").exists()
