"""R3 — manager control, checked against a plain-Python computation over the same
seeded rows on both backends: won money (USD and EUR deals at the rate of the day they
were won), win rate, average deal length, open and overdue deals on the as-of day and
interactions — now and a year earlier — and the two long-format companions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from deal_support import company, make_team, without_right
from ready_report_support import TODAY, World, kop, module_world

from qstui.domain import clock
from qstui.domain.enums import DealStatus, EventStatus
from qstui.domain.errors import AccessDenied
from qstui.domain.reports import DrillKind, ReportOptions
from qstui.services.calendar import events as E
from qstui.services.reports import managers as M

PERIOD = (date(2026, 1, 1), date(2026, 6, 30))  # ends after "today": as of today
EARLIER = (date(2025, 1, 1), date(2025, 6, 30))
ZONE = 3  # hours east of UTC, the zone the tests set


def _managers(world: World, who: str) -> set[int | None] | None:
    if who == "system":
        return None
    if who == "head":
        return {world.team.id(m) for m in ("anna", "boris", "head")}
    return {world.team.id(who)}


def figures(world: World, who: str, period, as_of: date, target: str) -> dict:
    mine = _managers(world, who)
    keep = (lambda m: True) if mine is None else (lambda m: m in mine)
    start, end = period
    out: dict = {}

    def at(m):
        return out.setdefault(
            m,
            {"won": [], "lost": 0, "open": set(), "late": set(), "events": 0},
        )

    for d in world.deals:
        if not keep(d["manager_id"]):
            continue
        m = d["manager_id"]
        closed = d["closed_on"]
        if d["status"] != DealStatus.OPEN and start <= closed <= end:
            if d["status"] == DealStatus.WON:
                at(m)["won"].append(d)
            else:
                at(m)["lost"] += 1
        if d["started_on"] <= as_of and (closed is None or closed > as_of):
            at(m)["open"].add(d["id"])
            rows = [r for r in world.stage_rows if r["deal_id"] == d["id"]]
            late_stage = any(
                r["due_on"] < as_of
                and r["started_on"] <= as_of
                and (r["done_on"] is None or r["done_on"] > as_of)
                for r in rows
            )
            if d["planned_end_on"] < as_of or late_stage:
                at(m)["late"].add(d["id"])
    for e in world.events:
        local_day = (e["at"] + timedelta(hours=ZONE)).date()
        done = e["status"] == EventStatus.DONE
        if keep(e["responsible_id"]) and done and start <= local_day <= end:
            at(e["responsible_id"])["events"] += 1
    result = {}
    for m, raw in out.items():
        won = raw["won"]
        amounts = world.grouped(
            [(0, d["amount"], d["currency"], d["closed_on"]) for d in won], target
        )
        days = [(d["closed_on"] - d["started_on"]).days for d in won]
        closed_n = len(won) + raw["lost"]
        result[m] = {
            "won_amount": amounts.get(0, Decimal("0.00")),
            "won_count": len(won),
            "win_rate": kop(Decimal(len(won)) * 100 / closed_n) if closed_n else None,
            "avg_days": (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), "ROUND_HALF_UP")
            if days
            else None,
            "open_deals": len(raw["open"]),
            "overdue_deals": len(raw["late"]),
            "events": raw["events"],
            "won_ids": sorted(d["id"] for d in won),
            "late_ids": sorted(raw["late"]),
        }
    return result


def _check(world: World, who: str, table, target: str = "RUB") -> dict:
    now = figures(world, who, PERIOD, TODAY, target)
    before = figures(world, who, EARLIER, date(TODAY.year - 1, TODAY.month, TODAY.day), target)
    got = {r.keys["manager"]: r.values for r in table.rows}
    assert set(got) == set(now) | set(before)
    empty = figures(world, who, (date(1990, 1, 1), date(1990, 1, 2)), date(1990, 1, 2), target)
    for m, values in got.items():
        this = now.get(m) or empty.get(m) or {}
        prev = before.get(m) or {}
        for key in (
            "won_amount",
            "won_count",
            "win_rate",
            "avg_days",
            "open_deals",
            "overdue_deals",
            "events",
        ):
            want_now = this.get(key, Decimal("0.00") if key == "won_amount" else 0)
            want_prev = prev.get(key, Decimal("0.00") if key == "won_amount" else 0)
            if key in ("win_rate", "avg_days"):
                want_now, want_prev = this.get(key), prev.get(key)
            assert values[key] == want_now, (m, key)
            assert values[f"{key}_prev"] == want_prev, (m, key, "prev")
            if want_now is not None and want_prev is not None:
                assert values[f"{key}_change"] == want_now - want_prev
    return now


@pytest.fixture(scope="module")
def _zone() -> Iterator[None]:
    zone = clock.zone()
    clock.set_zone(f"+0{ZONE}:00")
    yield
    clock.set_zone(zone)


@pytest.fixture(scope="module")
def world(_session_database, _zone) -> World:
    """One world for the tests that only read it, built once per backend; the test
    that writes comes last, with a team of its own."""
    return module_world(_session_database, seed=5, deals=90)


@pytest.fixture(autouse=True)
def _today(_zone, clock_at):
    clock_at(TODAY)


@pytest.mark.parametrize("target", ["RUB", "EUR"])
def test_manager_control_equals_a_plain_computation(world, target):
    system = world.team.system
    table = M.managers_report(system, ReportOptions(period=PERIOD, currency=target))
    assert table.report == "managers"
    now = _check(world, "system", table, target)
    assert sum(v["won_count"] for v in now.values()) > 3
    assert any(v["overdue_deals"] for v in now.values())
    row = next(r for r in table.rows if now.get(r.keys["manager"], {}).get("won_count"))
    assert M.drill(system, table, row, "won_amount") == (
        DrillKind.DEALS,
        now[row.keys["manager"]]["won_ids"],
    )
    assert M.drill(system, table, row, "overdue_deals")[1] == now[row.keys["manager"]]["late_ids"]


def test_each_user_sees_own_managers(world):
    for who in ("anna", "head", "vera"):
        table = M.managers_report(getattr(world.team, who), ReportOptions(period=PERIOD))
        _check(world, who, table)
    default = M.managers_report(world.team.head, ReportOptions())
    assert default.period == (date(2026, 6, 1), TODAY)  # the month to date


def test_the_companions_count_events_by_type_and_clients_by_stage(world):
    system = world.team.system
    events = M.manager_events_report(system, ReportOptions(period=PERIOD))
    want: dict = {}
    for e in world.events:
        day = (e["at"] + timedelta(hours=ZONE)).date()
        if e["status"] != EventStatus.DONE:
            continue
        for index, (start, end) in enumerate((PERIOD, EARLIER)):
            if start <= day <= end:
                want.setdefault((e["responsible_id"], e["type_id"]), [0, 0])[index] += 1
    got = {
        (r.keys["manager"], r.keys["event_type"]): [r.values["events"], r.values["events_prev"]]
        for r in events.rows
    }
    assert got == want
    stages = M.manager_stages_report(system, ReportOptions(period=PERIOD))
    want = {}
    deals = {d["id"]: d for d in world.deals}
    for index, day in enumerate((TODAY, date(TODAY.year - 1, TODAY.month, TODAY.day))):
        seen: dict = {}
        for r in world.stage_rows:
            d = deals[r["deal_id"]]
            open_then = d["started_on"] <= day and (d["closed_on"] is None or d["closed_on"] > day)
            at_stage = r["started_on"] <= day and (r["done_on"] is None or r["done_on"] > day)
            if open_then and at_stage:
                seen.setdefault((d["manager_id"], r["stage_id"]), set()).add(d["company_id"])
        for key, clients in seen.items():
            want.setdefault(key, [0, 0])[index] = len(clients)
    got = {
        (r.keys["manager"], r.keys["stage"]): [r.values["clients"], r.values["clients_prev"]]
        for r in stages.rows
    }
    assert got == want


def test_without_the_reports_right_there_is_no_manager_control(db):
    make_team(db)
    blind = without_right(db, "anna", "reports")
    with pytest.raises(AccessDenied):
        M.managers_report(blind, ReportOptions(period=PERIOD))


def test_interactions_where_midnight_is_not_on_the_hour(db, clock_at):
    """In a zone half an hour off the hour the period's ends fall mid-hour: the whole
    hours are read from the hourly counts, the half hours at the ends from the
    interactions themselves."""
    team = make_team(db)
    anna = team.id("anna")
    client = company(db, "ООО Полчаса", anna)
    zone = clock.zone()
    clock.set_zone("+05:30")
    try:
        clock_at(date(2026, 6, 1))
        held = {
            datetime(2025, 12, 31, 18, 20): False,  # 23:50 on 31 December there
            datetime(2025, 12, 31, 18, 40): True,  # 00:10 on 1 January
            datetime(2026, 2, 14, 9, 0): True,
            datetime(2026, 3, 31, 18, 20): True,  # 23:50 on 31 March
            datetime(2026, 3, 31, 18, 40): False,  # 00:10 on 1 April
        }
        for when in held:
            E.log_interaction(team.anna, client, "call", "Звонок", when=when)
        table = M.managers_report(
            team.anna, ReportOptions(period=(date(2026, 1, 1), date(2026, 3, 31)))
        )
        (row,) = [r for r in table.rows if r.keys["manager"] == anna]
        assert row.values["events"] == sum(held.values())
        by_type = M.manager_events_report(
            team.anna, ReportOptions(period=(date(2026, 1, 1), date(2026, 3, 31)))
        )
        assert sum(r.values["events"] for r in by_type.rows) == sum(held.values())
    finally:
        clock.set_zone(zone)
