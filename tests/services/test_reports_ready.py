"""The ready reports (sales, sources, refusals, claims) on both backends, each compared
with the same report computed here in plain Python over the seeded rows, to the kopeck;
currency conversion at the rate of each amount's own date; drill-down."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from report_support import (
    PERIOD,
    World,
    add_payment,
    build_world,
    deal_seen,
    in_period,
    money_by,
    month,
)
from tests.conftest import wipe

from qstui.domain.enums import ClaimStatus, DealStatus
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.domain.report_spec import Measure, ReportSpec
from qstui.domain.reports import DrillKind, Dynamics, ReportOptions, ReportTable
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.context import Context, context_for
from qstui.services.reports.drill import drill
from qstui.services.reports.ready import READY, run_ready
from qstui.services.reports.tables import run_report

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(scope="module")
def world(_session_database: Any, frozen_clock: Any) -> World:
    """One world for the tests that only read it (built once per backend: on Firebird
    a world costs seconds); the tests that write build their own (``fresh_world``) and
    come last in the module, since their clean database is the shared one."""
    wipe(_session_database)
    return build_world(_session_database)


@pytest.fixture
def fresh_world(db: Any) -> World:
    return build_world(db)


def by_keys(table: ReportTable, *names: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row.keys[n] for n in names): row.values for row in table.rows}


def ctx_of(world: World, who: str) -> Context:
    return world.team.system if who == "system" else getattr(world.team, who)


@pytest.mark.parametrize("who", ["system", "head", "anna"])
@pytest.mark.parametrize("currency", ["RUB", "USD"])
def test_sales_by_manager_by_month_equals_python(world: World, who: str, currency: str) -> None:
    table = READY["sales"](
        ctx_of(world, who),
        ReportOptions(period=PERIOD, by=("manager", "month"), currency=currency),
    )
    won = [
        d
        for d in world.deals
        if d.status is DealStatus.WON
        and in_period(d.closed_on, PERIOD)
        and deal_seen(world, who, d)
    ]
    assert won, "the seeded world has won deals"
    expected = money_by(
        [((d.manager, month(d.closed_on)), d.currency, d.closed_on, d.amount) for d in won],  # type: ignore[arg-type]
        currency,
    )
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for d in won:
        counts[(d.manager, month(d.closed_on))] += 1  # type: ignore[arg-type]
    got = by_keys(table, "manager", "month")
    assert {k: v["amount"] for k, v in got.items()} == expected
    assert {k: v["count"] for k, v in got.items()} == dict(counts)
    assert table.totals == {"count": len(won), "amount": sum(expected.values())}
    assert table.currency == currency
    assert any("converted at the rate of the day the deal was won" in n for n in table.notes)
    assert any("the latest earlier rate was used" in n for n in table.notes)
    if who == "anna":
        assert "Only your clients and deals" in table.notes
    if who == "head":
        assert "Only the clients and deals of your department" in table.notes


def test_sales_by_product_sums_the_products(world: World) -> None:
    ctx = world.team.system
    table = READY["sales"](ctx, ReportOptions(period=PERIOD, by=("product",)))
    rows = []
    for d in world.deals:
        if d.status is DealStatus.WON and in_period(d.closed_on, PERIOD):
            if d.items:
                rows += [(p, d.currency, d.closed_on, a) for p, a in d.items]
            else:
                rows.append((None, d.currency, d.closed_on, d.amount))
    expected = money_by(rows, "RUB")  # type: ignore[arg-type]
    assert {k[0]: v["amount"] for k, v in by_keys(table, "product").items()} == expected


def test_sources_equal_python(world: World) -> None:
    table = READY["sources"](world.team.system, ReportOptions(period=PERIOD))
    got = by_keys(table, "source")
    started = [d for d in world.deals if in_period(d.started_on, PERIOD)]
    won = [d for d in world.deals if d.status is DealStatus.WON and in_period(d.closed_on, PERIOD)]
    money = money_by([(d.source, d.currency, d.closed_on, d.amount) for d in won], "RUB")  # type: ignore[misc]
    for source in {d.source for d in started} | {d.source for d in won}:
        mine = [d for d in started if d.source == source]
        won_started = sum(1 for d in mine if d.status is DealStatus.WON)
        row = got[(source,)]
        assert row["deals"] == len(mine)
        assert row["count"] == sum(1 for d in won if d.source == source)
        assert row["amount"] == money.get(source, Decimal("0.00"))
        assert row["won_of_started"] == won_started
        expected = (
            (Decimal(won_started) * 100 / len(mine)).quantize(Decimal("0.01")) if mine else None
        )
        assert row["conversion"] == expected
    assert table.totals["deals"] == len(started)


def test_refusals_equal_python(world: World) -> None:
    table = READY["refusals"](world.team.system, ReportOptions(period=PERIOD, currency="EUR"))
    lost = [
        d for d in world.deals if d.status is DealStatus.LOST and in_period(d.closed_on, PERIOD)
    ]
    money = money_by(
        [((d.lost_reason, d.lost_stage), d.currency, d.closed_on, d.amount) for d in lost],  # type: ignore[misc]
        "EUR",
    )
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for d in lost:
        counts[(d.lost_reason, d.lost_stage)] += 1
    got = by_keys(table, "refusal_reason", "lost_stage")
    assert {k: v["count"] for k, v in got.items()} == dict(counts)
    assert {k: v["amount"] for k, v in got.items()} == money


def test_claims_by_status_and_department_equal_python(world: World) -> None:
    table = READY["claims"](world.team.system, ReportOptions(period=PERIOD))
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for c in world.claims:
        if in_period(c.registered_at.date(), PERIOD):
            counts[(c.status, c.department)] += 1
    got = by_keys(table, "claim_status", "department")
    assert {k: v["count"] for k, v in got.items()} == dict(counts)
    assert table.rows[0].values["claim_status"] in {"new", "investigating", "resolved", "closed"}
    assert all(isinstance(k[0], ClaimStatus) for k in got)


def test_bad_options_are_refused_with_one_message(world: World) -> None:
    ctx = world.team.system
    with pytest.raises(ValidationFailed):
        run_ready(ctx, "sales", ReportOptions(by=("manager", "month", "year")))
    with pytest.raises(ValidationFailed):
        run_ready(ctx, "sales", ReportOptions(by=("planet",)))
    with pytest.raises(ValidationFailed):
        run_ready(ctx, "nothing", ReportOptions())
    with pytest.raises(ValidationFailed):
        run_report(ctx, ReportSpec(Measure.PAID, ("interaction_type",)))


@pytest.mark.parametrize("who", ["system", "anna"])
def test_drill_lists_the_deals_behind_a_number(world: World, who: str) -> None:
    ctx = ctx_of(world, who)
    table = READY["sales"](ctx, ReportOptions(period=PERIOD, by=("manager", "month")))
    assert table.rows
    for row in table.rows:
        kind, ids = drill(ctx, table, row, "amount")
        assert kind is DrillKind.DEALS
        expected = sorted(
            d.id
            for d in world.deals
            if d.status is DealStatus.WON
            and in_period(d.closed_on, PERIOD)
            and deal_seen(world, who, d)
            and d.manager == row.keys["manager"]
            and month(d.closed_on) == row.keys["month"]  # type: ignore[arg-type]
        )
        assert ids == expected
        assert len(ids) == row.values["count"]
    kind, every = drill(ctx, table, None, "count")
    assert len(every) == table.totals["count"]


# --- the tests that write: last (their database is the shared one, wiped) ----------


def test_a_usd_payment_is_converted_at_the_rate_of_its_date(fresh_world: World) -> None:
    world = fresh_world
    ctx = world.team.system
    deal = world.deals[0]
    add_payment(world.team.system.db, deal, date(2026, 2, 2), "100.00", "USD")  # rate 91.25
    add_payment(world.team.system.db, deal, date(2026, 3, 2), "9000.00", "RUB")  # USD 88.1234
    add_payment(world.team.system.db, deal, date(2026, 3, 5), "10.00", "USD")  # no own rate
    spec = ReportSpec(Measure.PAID, ("manager",), Dynamics.MONTH, PERIOD)
    rub = by_keys(run_report(ctx, spec), "month")
    assert rub[(date(2026, 2, 1),)]["amount"] == Decimal("9125.00")
    assert rub[(date(2026, 3, 1),)]["amount"] == Decimal("9000.00") + Decimal("881.23")
    usd_table = run_report(ctx, ReportSpec(Measure.PAID, (), Dynamics.MONTH, PERIOD, "USD"))
    usd = by_keys(usd_table, "month")
    assert usd[(date(2026, 2, 1),)]["amount"] == Decimal("100.00")
    # 9000 RUB / 88.1234 = 102.1295… → 102.13, plus the USD 10.00 as it is
    assert usd[(date(2026, 3, 1),)]["amount"] == Decimal("102.13") + Decimal("10.00")
    rub_notes = run_report(ctx, spec).notes
    assert any("No rate of USD on 05.03.2026" in n for n in rub_notes), rub_notes
    assert not any("No rate" in n for n in usd_table.notes), usd_table.notes


def test_a_manager_without_the_reports_right_gets_nothing(fresh_world: World) -> None:
    world = fresh_world
    revoke(world.team.system, "anna", R.REPORTS)
    anna = context_for(world.team.system.db, "anna")
    with pytest.raises(AccessDenied):
        run_ready(anna, "sales", ReportOptions())
