"""Export of a report on both backends: the XLSX read back with openpyxl holds the same
numbers as the JSON; the CSV reads back with the csv module as UTF-8 with BOM; files
are private; the right ``export`` is required; text never becomes a formula."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from report_support import PERIOD, World, build_world
from tests.conftest import file_mode, wipe

from qstui.db.models import Source
from qstui.domain.errors import AccessDenied
from qstui.domain.reports import ReportOptions
from qstui.services.reports import export as E
from qstui.services.reports.ready import READY

pytestmark = pytest.mark.usefixtures("frozen_clock", "open_umask")


@pytest.fixture(scope="module")
def world(_session_database: Any, frozen_clock: Any) -> World:
    """One world per backend for the module (its tests read it; the formula test
    renames sources, which no other test here reads)."""
    wipe(_session_database)
    return build_world(_session_database)


def _sales(world: World) -> Any:
    return READY["sales"](world.team.head, ReportOptions(period=PERIOD, by=("manager", "month")))


def test_json_has_the_issue_shape(world: World) -> None:
    table = _sales(world)
    data = E.table_json(world.team.head, table)
    assert set(data) == {"report", "currency", "period", "rows", "totals"}
    assert data["report"] == "sales" and data["currency"] == "RUB"
    assert data["period"] == ["2026-01-01", "2026-06-30"]
    assert data["rows"], "head sees the department's sales"
    for row, source in zip(data["rows"], table.rows, strict=True):
        assert set(row) == {"manager", "month", "count", "amount"}
        assert isinstance(row["count"], int)
        assert row["amount"] == format(source.values["amount"], "f")
        assert Decimal(row["amount"]).as_tuple().exponent == -2
    assert data["totals"] == {
        "count": table.totals["count"],
        "amount": format(table.totals["amount"], "f"),
    }


def test_xlsx_holds_the_numbers_of_the_json(world: World, tmp_path: Path) -> None:
    table = _sales(world)
    data = E.table_json(world.team.head, table)
    path = E.export_report(world.team.head, table, tmp_path / "sales.xlsx", "xlsx")
    assert file_mode(path) == 0o600
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.title for c in table.columns]
    body, total = rows[1:-1], rows[-1]
    assert len(body) == len(data["rows"])
    for got, want in zip(body, data["rows"], strict=True):
        manager, month, count, amount = got
        assert (manager, month) == (want["manager"], want["month"])
        assert isinstance(count, int) and count == want["count"]
        assert isinstance(amount, int | float)
        assert Decimal(str(amount)).quantize(Decimal("0.01")) == Decimal(want["amount"])
    assert total[0] == "Total"
    assert total[2] == data["totals"]["count"]
    assert Decimal(str(total[3])).quantize(Decimal("0.01")) == Decimal(data["totals"]["amount"])
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about["Name"] == "sales" and about["Currency"] == "RUB"
    assert about["Computed at"]
    notes = [v for k, v in book.worksheets[1].iter_rows(values_only=True) if k == "Note"]
    assert list(notes) == list(table.notes)


def test_csv_reads_back_as_utf8_with_bom(world: World, tmp_path: Path) -> None:
    table = _sales(world)
    path = E.export_report(world.team.head, table, tmp_path / "sales.csv", "csv")
    assert file_mode(path) == 0o600
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == [c.title for c in table.columns]
    for got, row in zip(rows[1:-1], table.rows, strict=True):
        assert got == [
            row.values["manager"],
            row.values["month"],
            str(row.values["count"]),
            format(row.values["amount"], "f"),
        ]
    assert rows[-1] == [
        "Total",
        "",
        str(table.totals["count"]),
        format(table.totals["amount"], "f"),
    ]


def test_text_never_becomes_a_formula(world: World, tmp_path: Path) -> None:
    db = world.team.system.db
    with db.transaction() as s:
        for source in s.query(Source):
            source.name = f'=HYPERLINK("http://x/?{source.id}","x")'
    table = READY["sources"](world.team.system, ReportOptions(period=PERIOD))
    named = [r.values["source"] for r in table.rows if r.keys["source"] is not None]
    assert named and all(n.startswith("=HYPERLINK") for n in named)
    csv_path = E.export_report(world.team.system, table, tmp_path / "s.csv", "csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        cells = [r[0] for r in csv.reader(f, delimiter=";")]
    assert all(c.startswith("'=") for c in cells if "HYPERLINK" in c)
    xlsx_path = E.export_report(world.team.system, table, tmp_path / "s.xlsx", "xlsx")
    sheet = load_workbook(xlsx_path).worksheets[0]
    cells_x = [c for c in sheet["A"] if "HYPERLINK" in str(c.value)]
    assert cells_x and all(c.data_type == "s" for c in cells_x)


def test_export_needs_the_export_right(world: World, tmp_path: Path) -> None:
    anna = world.team.anna  # a manager: reports, but no export
    table = READY["sales"](anna, ReportOptions(period=PERIOD))
    for fmt in E.FORMATS:
        with pytest.raises(AccessDenied):
            E.export_report(anna, table, tmp_path / f"x.{fmt}", fmt)
        assert not (tmp_path / f"x.{fmt}").exists()
    with pytest.raises(AccessDenied):
        E.table_json(anna, table)


def test_json_file_equals_the_json_object(world: World, tmp_path: Path) -> None:
    table = _sales(world)
    path = E.export_report(world.team.head, table, tmp_path / "s.json", "json")
    assert json.loads(path.read_text(encoding="utf-8")) == E.table_json(world.team.head, table)
