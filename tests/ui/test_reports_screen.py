"""Отчеты (F6): «won money by manager by month» built in the form, shown as a pivot
table, a bar chart and shares; Enter on a number lists its deals; exported to XLSX. The
figures are checked against the deal list (a separate service) of the same user."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from textual.widgets import ContentSwitcher, DataTable, OptionList

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealFilter
from qstui.domain.enums import DealStatus
from qstui.screens.report_actions import period_of
from qstui.services.context import context_for
from qstui.services.deals import list_deals
from qstui.services.refbooks.currency import convert


def won_by_manager_by_month(ctx, period):
    """Won deals closed in ``period`` in roubles: {(manager, "YYYY-MM"): money}; a deal in
    another currency converted at the rate of the day it was won (the day's sum of each
    currency converted once, as the report says it does)."""
    rows = list_deals(ctx, DealFilter(status=DealStatus.WON), limit=1000).rows
    roubles: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    other: dict[tuple[str, str, str, date], Decimal] = defaultdict(Decimal)
    for r in rows:
        if not period[0] <= r.closed_on <= period[1]:
            continue
        key = (r.manager_name or "", f"{r.closed_on:%Y-%m}")
        if r.currency_code == "RUB":
            roubles[key] += r.amount
        else:
            other[(*key, r.currency_code, r.closed_on)] += r.amount
    with ctx.db.reader() as s:
        for (manager, month, code, day), amount in other.items():
            roubles[(manager, month)] += convert(s, amount, code, "RUB", day)
    return dict(roubles)


async def build_won_money_by_manager_by_month(pilot, app, login):
    await log_in(pilot, app, login)
    await pilot.press("f6")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "ReportsScreen"
    await pilot.press("b")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "DealForm"  # measure, rows by, dynamics …
    form = app.screen
    assert form.query_one("#input-measure").value == "won"
    assert form.query_one("#input-dimension").value == "manager"
    assert form.query_one("#input-dynamics").value == "month"
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "ReportsScreen"


@pytest.mark.one_backend
async def test_won_money_by_manager_by_month_table_chart_shares_export(demo_db, tmp_path):
    head = context_for(demo_db, "head")
    year = period_of("year")
    expected = won_by_manager_by_month(head, year)
    assert len({m for m, _month in expected}) > 1
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await build_won_money_by_manager_by_month(pilot, app, "head")
        report = app.screen.report
        assert report.period == year
        got = {(r.values["manager"], r.values["month"]): r.values["amount"] for r in report.rows}
        assert got == expected
        assert report.totals["amount"] == sum(expected.values())

        # the table: managers as rows, months as columns, totals
        view = app.screen.query_one("#reports-view")
        table = view.query_one("#report-table", DataTable)
        months = sorted({month for _m, month in expected})
        assert view.shown.headers == ("Manager", *months, "Total")
        managers = {m for m, _month in expected}
        assert table.row_count == len(managers) + 1
        text = screen_text(app)
        assert "Manager" in text and months[0] in text
        last = table.get_row_at(table.row_count - 1)
        assert str(last[0]) == "Total"
        assert str(last[-1]) == fmt.money(sum(expected.values()), "RUB")

        # Enter on a number (the first manager's first month): its deals
        first = view.shown.rows[0]
        table.focus()
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DrillDialog"
        manager = first[0].text
        month = view.shown.headers[1]
        won = list_deals(head, DealFilter(status=DealStatus.WON), limit=1000).rows
        assert {line.id for line in app.screen.lines} == {
            r.id
            for r in won
            if (r.manager_name or "") == manager and f"{r.closed_on:%Y-%m}" == month
        }
        await pilot.press("escape")
        await settle(pilot, app)

        # the bar chart, then the shares
        await pilot.press("v")
        await settle(pilot, app)
        assert view.query_one(ContentSwitcher).current == "report-chart"
        assert "bar chart" in screen_text(app)
        await pilot.press("v")
        await settle(pilot, app)
        assert view.query_one(ContentSwitcher).current == "report-shares"
        shares = view.query_one("#report-shares", OptionList)
        assert shares.option_count == len(managers)
        per_manager: dict[str, Decimal] = defaultdict(Decimal)
        for (m, _month), money in expected.items():
            per_manager[m] += money
        leader, most = max(per_manager.items(), key=lambda item: item[1])
        share = most * 100 / sum(per_manager.values())
        line = str(shares.get_option_at_index(0).prompt)
        assert line.startswith(leader[:10]) and f"{fmt.number(share, 1)} %" in line
        assert f"{fmt.number(share, 1)} %" in screen_text(app)

        # export: XLSX with the same numbers
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ExportDialog"
        target = tmp_path / "won.xlsx"
        await pilot.press("tab", "end", "ctrl+u", *str(target), "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ReportsScreen"
        sheet = load_workbook(target).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Manager", "Month", "Won money")
        *cells, total = rows[1:]
        assert {(m, month): Decimal(str(v)) for m, month, v in cells} == expected
        assert total[0] == "Total" and Decimal(str(total[2])) == sum(expected.values())


async def test_a_manager_without_the_export_right_is_told_so(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    expected = won_by_manager_by_month(ivanov, period_of("year"))
    app = make_app(demo_db)
    async with app.run_test(size=LARGE, notifications=True) as pilot:
        await build_won_money_by_manager_by_month(pilot, app, "ivanov")
        got = {
            (r.values["manager"], r.values["month"]): r.values["amount"]
            for r in app.screen.report.rows
        }
        assert got == expected and {m for m, _month in got} == {ivanov.full_name}
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ReportsScreen"
        assert "Exporting needs the right" in screen_text(app)


async def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "petrova")
        await pilot.press("f6", "b")
        await settle(pilot, app)
        form = app.screen
        await pilot.press("tab", "tab", "tab", "tab", "tab", "end", "ctrl+u", *"01.01.2020")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # still open, with the message under the field
        assert "The end of the period is before its start" in screen_text(app)
        assert form.query_one("#input-end").value == "01.01.2020"
        await pilot.press("ctrl+u", *"31.12.2026", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ReportsScreen"
        assert app.screen.report.period[1].isoformat() == "2026-12-31"
