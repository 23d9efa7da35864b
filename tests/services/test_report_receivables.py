"""R6 — receivables, checked against a plain-Python computation over the same seeded
rows on both backends: each deal's debt recomputed from its documents and payments
(D6), the age buckets from its first bill, the credit limits, to the kopeck."""

from __future__ import annotations

from decimal import Decimal

import pytest
from deal_support import company, make_team, without_right
from ready_report_support import TODAY, World, kop, module_world

from qstui.domain.clients import TermsInput
from qstui.domain.enums import DocState, PaymentKind
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.domain.reports import DrillKind, ReportOptions
from qstui.services.clients import terms as TERMS
from qstui.services.reports import receivables as RV

BUCKETS = ("age_0_30", "age_31_60", "age_61_90", "age_90_plus")


def _bucket(age: int) -> str:
    return BUCKETS[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3]


def owing_deals(world: World, who: str) -> dict[int, tuple[Decimal, str]]:
    """deal id → (debt in the deal currency, age bucket) of the owing visible deals."""
    found = {}
    for deal in world.deals:
        if not world.visible(who, deal["manager_id"], deal["company_id"]):
            continue
        code = deal["currency"]
        docs = [
            d
            for d in world.documents
            if d["deal_id"] == deal["id"] and d["state"] != DocState.DELETED
        ]
        sums = {"invoice": Decimal(0), "shipment": Decimal(0)}
        for d in docs:
            sums[d["kind"].value] += world.convert(d["amount"], d["currency"], code, d["day"])
        paid = sum(
            (
                world.convert(p["amount"], p["currency"], code, p["day"])
                for p in world.payments
                if p["deal_id"] == deal["id"] and p["kind"] == PaymentKind.ACTUAL
            ),
            Decimal(0),
        )
        debt = kop(max(sums["invoice"], sums["shipment"]) - paid)
        if debt > 0:
            first = min(d["day"] for d in docs)
            found[deal["id"]] = (debt, _bucket((TODAY - first).days))
    return found


def expected(world: World, who: str, target: str) -> dict:
    deals = {d["id"]: d for d in world.deals}
    owing = owing_deals(world, who)
    items = [
        (
            (deals[i]["company_id"], deals[i]["manager_id"], bucket),
            debt,
            deals[i]["currency"],
            TODAY,
        )
        for i, (debt, bucket) in owing.items()
    ]
    sums = world.grouped(items, target)
    rows: dict[tuple, dict] = {}
    for (company_id, manager_id, bucket), amount in sums.items():
        row = rows.setdefault((company_id, manager_id), dict.fromkeys(BUCKETS, Decimal("0.00")))
        row[bucket] += amount
    per_client: dict[int, Decimal] = {}
    for (company_id, _m), row in rows.items():
        row["debt"] = sum(row[b] for b in BUCKETS)
        per_client[company_id] = per_client.get(company_id, Decimal(0)) + row["debt"]
    for (company_id, _m), row in rows.items():
        limit = world.limits.get(company_id)
        if limit is not None:
            limit = world.convert(limit, "RUB", target, TODAY)
        row["credit_limit"] = limit
        row["over_limit"] = limit is not None and per_client[company_id] > limit
        row["ids"] = sorted(
            i for i in owing if (deals[i]["company_id"], deals[i]["manager_id"]) == (company_id, _m)
        )
    return rows


def _check(table, want) -> None:
    got = {(r.keys["client"], r.keys["manager"]): r for r in table.rows}
    assert set(got) == set(want)
    for key, values in want.items():
        for column in ("debt", *BUCKETS, "credit_limit", "over_limit"):
            assert got[key].values[column] == values[column], (key, column)
    assert table.totals["debt"] == sum(v["debt"] for v in want.values())
    debts = [r.values["debt"] for r in table.rows]
    assert debts == sorted(debts, reverse=True)


@pytest.fixture(scope="module")
def world(_session_database) -> World:
    """One world for the tests that only read it, built once per backend; the tests
    that write come last, with a team of their own."""
    return module_world(_session_database, seed=11, deals=80)


@pytest.fixture(autouse=True)
def _today(clock_at):
    clock_at(TODAY)


@pytest.mark.parametrize("target", ["RUB", "USD"])
def test_receivables_equal_a_plain_computation(world, target):
    table = RV.receivables_report(world.team.system, ReportOptions(currency=target))
    want = expected(world, "system", target)
    assert len(want) > 3 and any(v["over_limit"] for v in want.values())
    assert any(v["age_90_plus"] for v in want.values())
    _check(table, want)
    row = table.rows[0]
    kind, ids = RV.drill(world.team.system, table, row, "debt")
    assert kind == DrillKind.DEALS
    assert ids == want[(row.keys["client"], row.keys["manager"])]["ids"]


def test_a_manager_sees_only_own_debts(world):
    for who in ("anna", "head"):
        table = RV.receivables_report(getattr(world.team, who), ReportOptions())
        _check(table, expected(world, who, "RUB"))


def test_without_the_reports_right_there_are_no_receivables(db):
    make_team(db)
    blind = without_right(db, "boris", "reports")
    with pytest.raises(AccessDenied):
        RV.receivables_report(blind, ReportOptions())


def test_a_credit_limit_is_kept_by_the_terms_service(db):
    team = make_team(db)
    head = team.head
    client = company(head.db, "Лимитная", team.id("anna"))
    TERMS.add_terms(head, client, TermsInput(title="Лимит", credit_limit=Decimal("1000.5")))
    assert [t.credit_limit for t in TERMS.list_terms(head, client)] == [Decimal("1000.50")]
    for bad in ("1.005", "1.0005", "-1"):
        with pytest.raises(ValidationFailed) as err:
            TERMS.add_terms(head, client, TermsInput(title="Лимит", credit_limit=bad))
        assert set(err.value.errors) == {"credit_limit"}
