"""Воронка (F8): the open deals of a pipeline per stage, the pipeline and the period
switched by key, Enter on a stage listing its deals and opening one's card. The figures
are checked against the deal list (a separate service) of the same user."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealFilter
from qstui.domain.enums import DealStatus
from qstui.domain.reports import ReportOptions
from qstui.screens.report_actions import period_of
from qstui.services.context import context_for
from qstui.services.deals import list_deals
from qstui.services.refbooks.pipelines import list_pipelines
from qstui.services.reports import lines as report_lines
from qstui.services.reports.funnel import funnel_report


def expected_funnel(ctx, pipeline_id, period=None, manager_id=None):
    """Per stage: the open deals of the pipeline counted from the deal list (every
    currency), and their money as the funnel service computes it (converted at each
    deal's start day; checked against plain Python in tests/services)."""
    flt = DealFilter(
        status=DealStatus.OPEN,
        pipeline_id=pipeline_id,
        manager_id=manager_id,
        started_from=period[0] if period else None,
        started_to=period[1] if period else None,
    )
    counts = Counter(r.stage_id for r in list_deals(ctx, flt, limit=1000).rows)
    options = ReportOptions(
        period=period,
        pipeline_id=pipeline_id,
        filters={"manager": (manager_id,)} if manager_id else {},
    )
    money = {r.keys["stage"]: r.values["amount"] for r in funnel_report(ctx, options).rows}
    return {stage: (n, money[stage]) for stage, n in counts.items()}


def shown(app):
    table = app.screen.report
    return {
        r.keys["stage"]: (r.values["count"], r.values["amount"])
        for r in table.rows
        if r.values["count"]
    }


async def open_funnel(pilot, app, login):
    await log_in(pilot, app, login)
    await pilot.press("f8")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "FunnelScreen"


@pytest.mark.one_backend
async def test_funnel_switches_pipeline_and_period_and_opens_a_deal(demo_db, monkeypatch):
    head = context_for(demo_db, "head")
    pipelines = list_pipelines(head)
    first, second = pipelines[0], pipelines[1]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_funnel(pilot, app, "head")
        assert app.screen.pipeline_id == first.id
        assert shown(app) == expected_funnel(head, first.id)
        text = screen_text(app)
        assert f"Funnel: {first.name}" in text
        first_stage = app.screen.report.rows[0].keys["stage"]
        count, money = shown(app)[first_stage]
        assert f"{count} · {fmt.money(money, 'RUB')}" in text

        await pilot.press("p")
        await settle(pilot, app)
        assert app.screen.pipeline_id == second.id
        assert [r.keys["stage"] for r in app.screen.report.rows] == [s.id for s in second.stages]
        assert shown(app) == expected_funnel(head, second.id)
        assert f"Funnel: {second.name}" in screen_text(app)

        await pilot.press("p", "t", "t", "t")  # back to the first pipeline; this year
        await settle(pilot, app)
        year = period_of("year")
        assert app.screen.period == "year" and app.screen.report.period == year
        assert shown(app) == expected_funnel(head, first.id, year)
        assert "this year" in screen_text(app)

        # Enter on the widest stage: its deals, the same as the list's; Enter opens one
        rows = app.screen.report.rows
        index = max(range(len(rows)), key=lambda i: rows[i].values["count"])
        app.screen.query_one("#funnel-stages").highlighted = index
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DrillDialog"
        flt = DealFilter(
            status=DealStatus.OPEN, stage_id=rows[index].keys["stage"], started_from=year[0],
            started_to=year[1],
        )  # fmt: skip
        expected = {r.id for r in list_deals(head, flt, limit=1000).rows}
        lines = app.screen.lines
        assert {line.id for line in lines} == expected and len(lines) == rows[index].values["count"]
        assert fmt.money(lines[0].amount, "RUB") in screen_text(app)
        assert f": {len(lines)} deals" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.deal_id == lines[0].id
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DrillDialog"
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "FunnelScreen"

        # a list longer than is read says so, never stops silently
        monkeypatch.setattr(report_lines, "MAX_LINES", 2)
        await pilot.press("enter")
        await settle(pilot, app)
        assert len(app.screen.lines) == 2
        assert f"the first 2 of {len(lines)}" in screen_text(app)


async def test_a_managers_funnel_holds_only_what_he_sees_and_the_manager_key(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    head = context_for(demo_db, "head")
    pipeline = list_pipelines(ivanov)[0].id
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_funnel(pilot, app, "ivanov")
        assert shown(app) == expected_funnel(ivanov, pipeline)
        assert "Only your clients and deals" in screen_text(app)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_funnel(pilot, app, "head")
        await pilot.press("m")  # the first manager of the department, by name
        await settle(pilot, app)
        manager_id, name = app.screen.choices.managers[0]
        assert app.screen.manager_id == manager_id
        whose = {stage: value for stage, value in _by_manager(head, pipeline, manager_id).items()}
        assert shown(app) == whose
        assert name in screen_text(app)


def _by_manager(ctx, pipeline_id, manager_id):
    return expected_funnel(ctx, pipeline_id, manager_id=manager_id)


@pytest.mark.one_backend
async def test_the_funnel_exports_to_csv_that_excel_in_russian_opens(demo_db, tmp_path):
    import csv

    head = context_for(demo_db, "head")
    pipeline = list_pipelines(head)[0]
    expected = expected_funnel(head, pipeline.id)
    target = tmp_path / "funnel.csv"
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_funnel(pilot, app, "head")
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ExportDialog"
        await pilot.press("enter", "down", "enter")  # the format: CSV
        await pilot.press("tab", "end", "ctrl+u", *str(target), "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "FunnelScreen"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][:4] == ["Pipeline", "Stage", "Open deals", "Amount"]
    stages, total = rows[1:-1], rows[-1]
    assert [r[1] for r in stages] == [s.name for s in pipeline.stages]
    assert {r[0] for r in stages} == {pipeline.name} and total[0] == "Total"
    by_name = {s.name: s.id for s in pipeline.stages}
    got = {by_name[r[1]]: (int(r[2]), Decimal(r[3])) for r in stages if int(r[2])}
    assert got == expected
    assert int(total[2]) == sum(n for n, _money in expected.values())
