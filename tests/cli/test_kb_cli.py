"""``qstui kb list|show|search`` end to end through the root group, on both backends."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from tests.cli.outcome import one_line_error

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.services.context import Context
from qstui.services.knowledge.articles import create_article
from qstui.services.knowledge.categories import create_category


def run(db: Database, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", url, "kb", *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_list_show_and_search(db):
    system = Context.system(db)
    contracts = create_category(system, "Договоры")
    supply = create_article(system, contracts, "Договоры поставки", "## Сроки\nДо 10 дней.")
    service = create_article(system, contracts, "ДОГОВОР НА СЕРВИС", "Год.", tags="сервис")
    talks = create_article(system, contracts, "Переговоры", "О цене.")

    listed = json.loads(ok(run(db, "list", "--json")))
    assert [a["title"] for a in listed] == ["ДОГОВОР НА СЕРВИС", "Договоры поставки", "Переговоры"]
    assert "Договоры поставки" in ok(run(db, "list", "--category", str(contracts)))
    assert "Договоры\t3" in ok(run(db, "list", "--categories"))

    shown = ok(run(db, "show", str(supply)))
    assert shown.startswith("# Договоры поставки\n") and "## Сроки\nДо 10 дней." in shown
    assert json.loads(ok(run(db, "show", str(service), "--json")))["row"]["tags"] == ["сервис"]

    hits = json.loads(ok(run(db, "search", "договор", "--json")))
    assert [h["row"]["id"] for h in hits] == [service, supply]
    assert talks not in [h["row"]["id"] for h in hits]
    assert "ДОГОВОР НА СЕРВИС" in ok(run(db, "search", "ДОГОВОР сервис"))

    missing = run(db, "show", "999999")
    assert missing.exit_code != 0
    one_line_error(missing)
