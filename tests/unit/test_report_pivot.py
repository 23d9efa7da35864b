"""How a long-format ``ReportTable`` is laid out on the screen: pivoted by its period with
totals, flat otherwise; every number knows the keys behind it (for drill-down)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from qstui.domain import formatting as fmt
from qstui.domain.reports import Column, ColumnKind, ReportRow, ReportTable
from qstui.widgets.report_pivot import bars, default_measure, layout, series

MANAGER = Column("manager", "Manager", ColumnKind.TEXT, dimension=True)
MONTH = Column("month", "Month", ColumnKind.TEXT, dimension=True)
AMOUNT = Column("amount", "Money", ColumnKind.MONEY)
COUNT = Column("count", "Deals", ColumnKind.COUNT)
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def row(manager_id, name, month, amount, count=1):
    return ReportRow(
        {"manager": name, "month": f"{month:%Y-%m}", "amount": Decimal(amount), "count": count},
        {"manager": manager_id, "month": month},
    )


def table(*rows, columns=(MANAGER, MONTH, AMOUNT, COUNT)):
    total = sum((r.values["amount"] for r in rows), Decimal(0))
    return ReportTable(
        report="custom",
        title="t",
        currency="RUB",
        period=None,
        columns=columns,
        rows=rows,
        totals={"amount": total, "count": sum(r.values["count"] for r in rows)},
    )


def test_a_report_with_months_is_pivoted_with_totals_and_drill_keys():
    report = table(
        row(3, "Ivanov", MARCH, "100.50"),
        row(3, "Ivanov", APRIL, "200"),
        row(4, "Petrova", APRIL, "50"),
        row(None, None, MARCH, "7"),  # deals of no manager are a line of their own
    )
    measure = default_measure(report)
    assert measure == AMOUNT
    shown = layout(report, measure, "Total")
    assert shown.headers == ("Manager", "2026-03", "2026-04", "Total")
    assert shown.totals
    texts = [[c.text for c in line] for line in shown.rows]
    money = lambda v: fmt.money(Decimal(v), "RUB")  # noqa: E731
    assert texts == [
        ["Ivanov", money("100.50"), money("200"), money("300.50")],
        ["Petrova", "", money("50"), money("50")],
        ["—", money("7"), "", money("7")],
        ["Total", money("107.50"), money("250"), money("357.50")],
    ]
    ivanov, _petrova, nobody, total = shown.rows
    assert ivanov[1].keys == {"manager": 3, "month": MARCH} and ivanov[1].column_key == "amount"
    assert ivanov[3].keys == {"manager": 3}  # the row's total: any month
    assert nobody[1].keys == {"manager": None, "month": MARCH}
    assert total[2].keys == {"month": APRIL} and total[3].keys == {}
    assert not ivanov[0].number and ivanov[1].number


def test_the_measure_chosen_is_the_one_pivoted():
    report = table(row(3, "Ivanov", MARCH, "1", count=4), row(3, "Ivanov", APRIL, "2", count=5))
    shown = layout(report, COUNT, "Total")
    assert [c.text for c in shown.rows[0]] == ["Ivanov", "4", "5", "9"]


def test_without_a_period_the_table_is_flat_with_its_totals_row():
    report = table(
        ReportRow({"manager": "Ivanov", "amount": Decimal("10"), "count": 2}, {"manager": 3}),
        ReportRow({"manager": "Petrova", "amount": Decimal("5"), "count": 1}, {"manager": 4}),
        columns=(MANAGER, AMOUNT, COUNT),
    )
    shown = layout(report, default_measure(report), "Total")
    assert shown.headers == ("Manager", "Money", "Deals")
    assert [c.text for c in shown.rows[-1]] == ["Total", fmt.money(Decimal("15"), "RUB"), "3"]
    assert shown.rows[0][2].keys == {"manager": 3} and shown.rows[-1][1].keys == {}


def test_bars_add_the_periods_up_and_series_keep_them_apart():
    report = table(
        row(3, "Ivanov", MARCH, "100"),
        row(3, "Ivanov", APRIL, "200"),
        row(4, "Petrova", APRIL, "50"),
    )
    assert [(b.label, b.value, b.keys) for b in bars(report, AMOUNT)] == [
        ("Ivanov", Decimal("300"), {"manager": 3}),
        ("Petrova", Decimal("50"), {"manager": 4}),
    ]
    labels, lines = series(report, AMOUNT)
    assert labels == ["2026-03", "2026-04"]
    assert lines == [("Ivanov", [100.0, 200.0]), ("Petrova", [0.0, 50.0])]
