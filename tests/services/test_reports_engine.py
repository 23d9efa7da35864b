"""The report engine (the builder's specs) on both backends, against plain Python over
the seeded rows: period buckets of every dynamics, weighted and planned money of open
deals, invoices, new clients, interactions, client groups and filters."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from report_support import PERIOD, World, build_world, in_period, money_by
from sqlalchemy import select
from tests.services.deal_support import add, company, make_team

from qstui.db.models import (
    ClientGroup,
    DealDocument,
    Event,
    EventType,
    GroupMember,
    Stage,
)
from qstui.domain import clock
from qstui.domain.enums import DealStatus, DocKind, DocState, EventStatus
from qstui.domain.report_spec import Measure, ReportSpec
from qstui.domain.reports import DrillKind, Dynamics
from qstui.services.reports.drill import drill
from qstui.services.reports.engine import aggregate
from qstui.services.reports.tables import dimensions_of, run_report

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def world(db: Any) -> World:
    return build_world(db, seed=11, n_deals=80)


def start_of(day: date, dynamics: Dynamics) -> date:
    if dynamics is Dynamics.YEAR:
        return date(day.year, 1, 1)
    if dynamics is Dynamics.QUARTER:
        return date(day.year, {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4}.get(day.month, 7), 1)
    if dynamics is Dynamics.MONTH:
        return date(day.year, day.month, 1)
    return date(day.year, day.month, 1 if day.day <= 10 else 11 if day.day <= 20 else 21)


@pytest.mark.parametrize(
    "dynamics", [Dynamics.DECADE, Dynamics.MONTH, Dynamics.QUARTER, Dynamics.YEAR]
)
def test_deals_by_period_buckets(world: World, dynamics: Dynamics) -> None:
    agg = aggregate(world.team.system, ReportSpec(Measure.DEALS, (), dynamics, PERIOD))
    expected: dict[tuple[date], int] = defaultdict(int)
    for d in world.deals:
        if in_period(d.started_on, PERIOD):
            expected[(start_of(d.started_on, dynamics),)] += 1
    assert agg.values == dict(expected)


def test_weighted_and_planned_money_of_open_deals(world: World) -> None:
    ctx = world.team.system
    with ctx.db.reader() as s:
        chance = {r.id: r.probability for r in s.execute(select(Stage.id, Stage.probability))}
    open_deals = [
        d for d in world.deals if d.status is DealStatus.OPEN and in_period(d.started_on, PERIOD)
    ]
    for currency in ("RUB", "USD"):
        weighted = run_report(ctx, ReportSpec(Measure.WEIGHTED, ("stage",), period=PERIOD,
                                              currency=currency))  # fmt: skip
        # per (stage, currency, day): Σ amount × probability / 100, then converted
        expected = money_by(
            [
                (d.stage, d.currency, d.started_on, d.amount * chance[d.stage] / 100)
                for d in open_deals
            ],
            currency,
        )
        assert {r.keys["stage"]: r.values["weighted"] for r in weighted.rows} == expected
        planned = run_report(ctx, ReportSpec(Measure.PLANNED, ("manager",), period=PERIOD,
                                             currency=currency))  # fmt: skip
        expected = money_by(
            [(d.manager, d.currency, d.started_on, d.amount) for d in open_deals], currency
        )
        assert {r.keys["manager"]: r.values["amount"] for r in planned.rows} == expected
        assert planned.totals["amount"] == sum(expected.values())


def test_invoices_by_manager_and_filters(world: World) -> None:
    ctx = world.team.system
    rows = []
    for n, d in enumerate(world.deals[:12]):
        day = date(2026, 2, 1) + timedelta(days=3 * n)
        state = DocState.DELETED if n == 5 else DocState.POSTED
        amount = Decimal(1000 + n) + Decimal("0.37")
        currency = "USD" if n % 3 == 0 else "RUB"
        add(
            ctx.db,
            DealDocument(
                deal_id=d.id,
                company_id=d.company,
                doc_kind=DocKind.INVOICE,
                doc_no=f"СЧ-{n}",
                doc_date=day,
                amount=amount,
                currency_code=currency,
                state=state,
            ),
        )
        if state is DocState.POSTED:
            manager = d.manager if d.manager is not None else d.company_manager
            rows.append((manager, currency, day, amount))
    table = run_report(ctx, ReportSpec(Measure.INVOICED, ("manager",), period=PERIOD))
    assert {r.keys["manager"]: r.values["amount"] for r in table.rows} == money_by(rows, "RUB")
    anna = world.team.id("anna")
    only = run_report(
        ctx, ReportSpec(Measure.INVOICED, (), period=PERIOD, filters={"manager": (anna,)})
    )
    mine = money_by([r for r in rows if r[0] == anna], "RUB")
    assert only.totals["amount"] == mine.get(anna, Decimal("0.00"))
    assert "Filtered by: Manager" in only.notes


def test_interactions_by_type_and_clients_by_group(world: World) -> None:
    ctx = world.team.system
    db = ctx.db
    with db.reader() as s:
        types = list(s.scalars(select(EventType.id).order_by(EventType.id)))[:3]
    deal = world.deals[0]
    expected: dict[Any, int] = defaultdict(int)
    for n in range(15):
        status = (EventStatus.DONE, EventStatus.PLANNED, EventStatus.DONE)[n % 3]
        at = datetime(2026, 3, 1, 9) + timedelta(days=n, hours=n)
        add(
            db,
            Event(
                type_id=types[n % 3],
                status=status,
                company_id=deal.company,
                responsible_id=world.team.id("anna"),
                subject=f"Звонок {n}",
                event_at=at,
            ),
        )
        if status is EventStatus.DONE:
            expected[types[n % 3]] += 1
    table = run_report(ctx, ReportSpec(Measure.EVENTS, ("interaction_type",), period=PERIOD))
    assert {r.keys["interaction_type"]: r.values["count"] for r in table.rows} == expected
    kind, ids = drill(ctx, table, table.rows[0], "count")
    assert kind is DrillKind.EVENTS and len(ids) == table.rows[0].values["count"]
    # a client in two groups counts in both rows, once in the total
    group_a = add(db, ClientGroup(name="A", is_shared=True, owner_id=world.team.id("head")))
    group_b = add(db, ClientGroup(name="B", is_shared=True, owner_id=world.team.id("head")))
    with db.transaction() as s:
        s.add(GroupMember(group_id=group_a, company_id=deal.company))
        s.add(GroupMember(group_id=group_b, company_id=deal.company))
    clients = run_report(ctx, ReportSpec(Measure.CLIENTS, ("client_group",)))
    by_group = {r.keys["client_group"]: r.values["count"] for r in clients.rows}
    assert by_group[group_a] == by_group[group_b] == 1
    assert clients.totals["count"] == sum(by_group.values()) - 1


@pytest.mark.one_backend
def test_the_builder_offers_the_dimensions_each_measure_has() -> None:
    assert "product" not in dimensions_of(Measure.PAID)
    assert "interaction_type" in dimensions_of(Measure.EVENTS)
    assert "claim_status" in dimensions_of(Measure.CLAIMS)
    assert "claim_status" not in dimensions_of(Measure.WON)
    assert dimensions_of(Measure.WON)[:3] == ("manager", "department", "product")


def test_interactions_are_counted_by_the_local_day(db: Any) -> None:
    """A call at 01:30 Moscow time on 1 April is 22:30 UTC on 31 March: it belongs to
    April, by day and by month, in the period filter and in the buckets."""
    team = make_team(db)
    client = company(db, "ООО Полночь", team.id("anna"))
    with db.reader() as s:
        type_id = s.scalars(select(EventType.id).order_by(EventType.id)).first()
    for at in (datetime(2026, 3, 31, 22, 30), datetime(2026, 3, 31, 20, 0)):
        add(
            db,
            Event(
                type_id=type_id,
                status=EventStatus.DONE,
                company_id=client,
                responsible_id=team.id("anna"),
                subject=f"Звонок {at:%H:%M}",
                event_at=at,
            ),
        )
    zone = clock.zone()
    clock.set_zone("+03:00")
    try:
        spring = (date(2026, 3, 1), date(2026, 4, 30))
        by_month = aggregate(team.system, ReportSpec(Measure.EVENTS, (), Dynamics.MONTH, spring))
        by_day = aggregate(team.system, ReportSpec(Measure.EVENTS, (), Dynamics.DECADE, spring))
        april = aggregate(
            team.system, ReportSpec(Measure.EVENTS, (), period=(date(2026, 4, 1), date(2026, 4, 1)))
        )
    finally:
        clock.set_zone(zone)
    assert by_month.values == {(date(2026, 3, 1),): 1, (date(2026, 4, 1),): 1}
    assert by_day.values == {(date(2026, 3, 21),): 1, (date(2026, 4, 1),): 1}
    assert april.values == {(): 1}
