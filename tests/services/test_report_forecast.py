"""R7 — the forecast, checked against a plain-Python computation over the same seeded
rows on both backends: weighted open deals and planned payments per month (late ones
in the first month, other currencies at today's rate) to the kopeck, and the expected
new clients from a least-squares line through the last 12 months."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from ready_report_support import TODAY, World, kop, module_world
from sqlalchemy import update

from qstui.db.models import Company
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.domain.reports import DrillKind, ReportOptions
from qstui.services.reports import forecast as FC

MONTHS = [date(2026, m, 1) for m in range(6, 12)]  # June (today) … November


def _month(day: date | None) -> date | None:
    """The report month of a day: late ones in the first month, later ones left out."""
    if day is None or day < MONTHS[0]:
        return MONTHS[0]
    first = date(day.year, day.month, 1)
    return first if first <= MONTHS[-1] else None


def expected(world: World, who: str, created: dict[int, datetime], target: str) -> dict:
    probability = {s["id"]: s["probability"] for s in world.stages}
    sums: dict = {}
    for d in world.deals:
        if d["status"] != DealStatus.OPEN:
            continue
        if not world.visible(who, d["manager_id"], d["company_id"]):
            continue
        month = _month(d["planned_end_on"])
        if month is not None:
            key = (month, d["currency"], probability[d["stage_id"]])
            sums[key] = sums.get(key, Decimal(0)) + d["amount"]
    deals = {m: Decimal("0.00") for m in MONTHS}
    for (month, code, p), amount in sums.items():
        deals[month] += kop(world.convert(amount, code, target, TODAY) * p / 100)
    owner = {d["id"]: d for d in world.deals}
    paid: dict = {}
    for p in world.payments:
        d = owner[p["deal_id"]]
        if p["kind"] != PaymentKind.PLANNED:
            continue
        if not world.visible(who, d["manager_id"], d["company_id"]):
            continue
        month = _month(p["day"])
        if month is not None:
            paid[(month, p["currency"])] = paid.get((month, p["currency"]), 0) + p["amount"]
    payments = {m: Decimal("0.00") for m in MONTHS}
    for (month, code), amount in paid.items():
        payments[month] += world.convert(amount, code, target, TODAY)
    # new clients: 12 months June 2025 … May 2026, x = 0 … 11
    ys = [0] * 12
    for company_id, at in created.items():
        if who != "system" and world.companies[company_id] != world.team.id(who):
            continue
        index = (at.year - 2025) * 12 + at.month - 6
        if 0 <= index < 12:
            ys[index] += 1
    n = 12
    sx, sy = sum(range(n)), sum(ys)
    sxy = sum(x * y for x, y in enumerate(ys))
    sxx = sum(x * x for x in range(n))
    b = Fraction(n * sxy - sx * sy, n * sxx - sx * sx)
    a = Fraction(sy, n) - b * Fraction(sx, n)
    clients = {}
    for k, month in enumerate(MONTHS):
        value = a + b * (12 + k)
        clients[month] = 0 if value < 0 else int(value + Fraction(1, 2))
    return {"deals": deals, "payments": payments, "clients": clients}


@pytest.fixture(scope="module")
def world(_session_database):
    """One world for the module (its tests only read it), built once per backend."""
    db = _session_database
    world = module_world(db, seed=23, deals=80)
    rng = random.Random(3)
    created = {}
    with db.transaction() as s:
        for company_id in world.companies:
            # more clients in later months: a rising trend
            at = datetime(2025, 5, 20) + timedelta(days=rng.triangular(0, 400, 380))
            created[company_id] = at.replace(microsecond=0)
            s.execute(
                update(Company)
                .where(Company.id == company_id)
                .values(created_at=created[company_id])
            )
    return world, created


@pytest.fixture(autouse=True)
def _today(clock_at):
    clock_at(TODAY)


@pytest.mark.parametrize("target", ["RUB", "USD"])
def test_forecast_equals_a_plain_computation(world, target):
    world, created = world
    table = FC.forecast_report(world.team.system, ReportOptions(currency=target))
    want = expected(world, "system", created, target)
    assert [r.keys["month"] for r in table.rows] == MONTHS
    assert any(want["payments"].values()) and any(want["deals"].values())
    assert any(want["clients"].values())
    for row in table.rows:
        month = row.keys["month"]
        assert row.values["deals_expected"] == want["deals"][month], month
        assert row.values["payments_planned"] == want["payments"][month], month
        assert row.values["inflow"] == want["deals"][month] + want["payments"][month]
        assert row.values["new_clients"] == want["clients"][month], month
    kind, ids = FC.drill(world.team.system, table, table.rows[1], "deals_expected")
    assert kind == DrillKind.DEALS
    assert ids == sorted(
        d["id"]
        for d in world.deals
        if d["status"] == DealStatus.OPEN and _month(d["planned_end_on"]) == MONTHS[1]
    )


def test_a_managers_forecast_holds_own_deals_and_clients(world):
    world, created = world
    table = FC.forecast_report(world.team.anna, ReportOptions())
    want = expected(world, "anna", created, "RUB")
    for row in table.rows:
        month = row.keys["month"]
        assert row.values["deals_expected"] == want["deals"][month]
        assert row.values["payments_planned"] == want["payments"][month]
        assert row.values["new_clients"] == want["clients"][month]
