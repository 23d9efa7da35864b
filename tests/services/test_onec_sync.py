"""The reference sync (E2) against the simulator as a real HTTP server on loopback, on
SQLite and Firebird: exact links on a fresh demo database, idempotent runs, changes and
conflicts, visibility and rights, and faults halfway that leave qstui as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_support import company, inn10, make_team
from onec_sync_support import (
    apply,
    compare,
    counterparty,
    counts,
    last_run,
    links,
    product,
    rename_there,
    run_count,
    running,
    secrets,
    state,
    their_counterparties,
)
from sqlalchemy import select
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database
from qstui.db.models import Company, Product, Unit
from qstui.domain.enums import ExchangeStatus, LogLevel
from qstui.domain.errors import AccessDenied
from qstui.domain.onec import SyncApplied, SyncPolicy
from qstui.onec.simulator import Store
from qstui.onec.simulator.seed import seed
from qstui.services import rights as R
from qstui.services.access.users import grant
from qstui.services.clients.companies import update_company
from qstui.services.context import Context, context_for
from qstui.services.onec.simulator_seed import seed_records
from qstui.services.onec.sync_run import SyncFailed

KPP = "773601001"


@pytest.fixture(scope="module")
def demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, frozen_clock: object
) -> Iterator[Database]:
    with demo_database(backend, tmp_path_factory) as db:
        yield db


def test_a_fresh_demo_database_gets_exactly_the_expected_links(
    demo: Database, tmp_path: Path
) -> None:
    system = Context.system(demo)
    store = Store("bp30")
    expected = seed(store, *seed_records(system))
    sec = secrets(tmp_path)
    matching = set(expected.same + expected.other_name + expected.other_kpp)
    with running(demo, store):
        before = state(demo)
        first = counts(compare(system, "counterparties", sec))
        assert state(demo) == before and run_count(demo) == 0  # a comparison writes nothing
        assert first["linked"] == 0
        assert first["proposed"] == len(matching)
        assert first["only_here"] == len(expected.only_here)
        assert first["only_there"] == len(expected.only_there)
        assert first["changed"] == first["conflicts"] == 0

        done = apply(system, "counterparties", sec)
        lone = len(expected.only_here) + len(expected.only_there)
        assert done.applied == SyncApplied(linked=len(matching), skipped=lone)
        with demo.reader() as s:
            inn_of = dict(s.execute(select(Company.id, Company.inn)).all())
        their_inn = {row["Ref_Key"]: row["ИНН"] for row in their_counterparties(store)}
        linked = links(demo)
        assert sorted(inn_of[i] for i in linked) == sorted(matching)
        assert all(their_inn[ref] == inn_of[i] for i, ref in linked.items())

        products = counts(compare(system, "nomenclature", sec))
        articles = set(expected.products_same + expected.products_other_name)
        assert (products["proposed"], products["only_here"], products["only_there"]) == (
            len(articles),
            len(expected.products_only_here),
            len(expected.products_only_there),
        )
        apply(system, "nomenclature", sec)
        with demo.reader() as s:
            sku_of = dict(s.execute(select(Product.id, Product.sku)).all())
        assert {sku_of[i] for i in links(demo, "product")} == articles

        snapshot = state(demo)
        for kind in ("counterparties", "nomenclature"):
            again = apply(system, kind, sec)
            assert again.applied.linked == again.applied.updated == 0
            report = counts(again)
            assert report["proposed"] == report["changed"] == report["conflicts"] == 0
        assert state(demo) == snapshot
        run, log = last_run(demo)
        assert run.status == ExchangeStatus.OK and (run.n_created, run.n_updated) == (0, 0)
        assert run.n_skipped == len(expected.products_only_here) + len(expected.products_only_there)
        assert log == []  # nothing done, nothing to say


@pytest.fixture
def world(db: Database) -> dict:
    """ivanov's companies A (same in 1C), B (another name in 1C), C (only here);
    petrova's D (in 1C too); X only in 1C."""
    team = make_team(db)
    grant(team.system, "ivanov", R.ONEC_EXCHANGE)
    ivanov = context_for(db, "ivanov")
    ids = {
        "A": company(ivanov, "Альфа", inn=inn10(1), kpp=KPP),
        "B": company(ivanov, "Бета", inn=inn10(2), kpp=KPP),
        "C": company(ivanov, "Гамма", inn=inn10(3), kpp=KPP),
        "D": company(team.petrova, "Дельта", inn=inn10(4), kpp=KPP),
    }
    store = Store("bp30")
    refs = {
        "A": counterparty(store, "Альфа", inn10(1), KPP),
        "B": counterparty(store, "Бета (1С)", inn10(2), KPP),
        "D": counterparty(store, "Дельта", inn10(4), KPP),
        "X": counterparty(store, "Икс", inn10(9), KPP),
    }
    return {"ivanov": ivanov, "system": team.system, "ids": ids, "refs": refs, "store": store}


def test_a_manager_syncs_only_what_they_see(db: Database, world: dict, tmp_path: Path) -> None:
    sec, ids, refs = secrets(tmp_path), world["ids"], world["refs"]
    with running(db, world["store"]):
        report = compare(world["ivanov"], "counterparties", sec).as_dict()
        assert [(r["object_id"], r["ref"], r["match"]) for r in report["proposed"]] == [
            (ids["A"], refs["A"], "inn_kpp"),
            (ids["B"], refs["B"], "inn_kpp"),
        ]
        assert [r["object_id"] for r in report["only_here"]] == [ids["C"]]
        # D is petrova's: neither shown nor offered for creation (it would be a duplicate)
        assert [r["ref"] for r in report["only_there"]] == [refs["X"]]
        done = apply(world["ivanov"], "counterparties", sec, SyncPolicy(create_here=True))
        assert done.applied == SyncApplied(linked=2, created_here=1, skipped=1)
        with db.reader() as s:
            x = s.scalars(select(Company).where(Company.inn == inn10(9))).one()
            assert (x.name, x.kpp, x.manager_id) == ("Икс", KPP, world["ivanov"].user_id)
            x_id = x.id
        assert links(db) == {ids["A"]: refs["A"], ids["B"]: refs["B"], x_id: refs["X"]}
        system = counts(compare(world["system"], "counterparties", sec))
        assert (system["linked"], system["proposed"], system["only_here"]) == (3, 1, 1)


def test_rights_are_checked_before_anything_is_written(
    db: Database, world: dict, tmp_path: Path
) -> None:
    sec = secrets(tmp_path)
    with running(db, world["store"]):
        petrova = context_for(db, "petrova")
        with pytest.raises(AccessDenied):
            compare(petrova, "counterparties", sec)
        with pytest.raises(AccessDenied):
            apply(petrova, "counterparties", sec)
        assert run_count(db) == 0
        product(db, "Болт", "B-1")
        world["store"].create("Catalog_Номенклатура", {"Description": "Гайка", "Артикул": "G-1"})
        before = state(db)
        with pytest.raises(AccessDenied):  # creating products needs refbooks.edit
            apply(world["ivanov"], "nomenclature", sec, SyncPolicy(create_here=True))
        assert state(db) == before
        run, _log = last_run(db)
        assert run.status == ExchangeStatus.FAILED and "refbooks.edit" in (run.error_text or "")


def test_both_ways_then_a_second_run_changes_nothing(
    db: Database, world: dict, tmp_path: Path
) -> None:
    sec, system, store = secrets(tmp_path), world["system"], world["store"]
    policy = SyncPolicy(create_here=True, create_there=True)
    with running(db, store):
        done = apply(system, "counterparties", sec, policy)
        assert done.applied == SyncApplied(linked=3, created_here=1, created_there=1)
        (gamma,) = [c for c in their_counterparties(store) if c["ИНН"] == inn10(3)]
        assert (gamma["Description"], gamma["КПП"], gamma["ЮридическоеФизическоеЛицо"]) == (
            "Гамма",
            KPP,
            "ЮридическоеЛицо",
        )
        assert len(links(db)) == 5
        snapshot, refs = state(db), len(their_counterparties(store))
        again = apply(system, "counterparties", sec, policy)
        assert again.applied == SyncApplied()
        assert counts(again)["linked"] == 5
        assert state(db) == snapshot and len(their_counterparties(store)) == refs


def test_a_change_on_each_side_is_a_conflict(db: Database, world: dict, tmp_path: Path) -> None:
    sec, system, store = secrets(tmp_path), world["system"], world["store"]
    ids, refs = world["ids"], world["refs"]
    with running(db, store):
        apply(system, "counterparties", sec)

        def version(key: str) -> int:
            with db.reader() as s:
                return s.get(Company, ids[key]).version

        update_company(system, ids["A"], version("A"), name="Альфа новая")
        rename_there(store, refs["A"], "Альфа из 1С")
        update_company(system, ids["B"], version("B"), name="Бета наша")
        rename_there(store, refs["D"], "Дельта из 1С")
        report = compare(system, "counterparties", sec).as_dict()
        assert [(r["object_id"], r["differences"][0]["theirs"]) for r in report["conflicts"]] == [
            (ids["A"], "Альфа из 1С")
        ]
        assert [(r["object_id"], r["changed_side"]) for r in report["changed"]] == [
            (ids["B"], "here"),
            (ids["D"], "there"),
        ]
        done = apply(system, "counterparties", sec)  # one-sided changes go over
        assert done.applied == SyncApplied(updated=2, skipped=3)  # the conflict, C and X
        assert store.get("Catalog_Контрагенты", refs["B"])["Description"] == "Бета наша"
        with db.reader() as s:
            assert s.get(Company, ids["D"]).name == "Дельта из 1С"
        _run, log = last_run(db)
        assert [e.level for e in log if "Альфа" in e.message] == [LogLevel.WARNING]
        left = counts(compare(system, "counterparties", sec))
        assert (left["conflicts"], left["changed"]) == (1, 0)
        settled = apply(system, "counterparties", sec, SyncPolicy(prefer="theirs"))
        assert settled.applied == SyncApplied(updated=1, skipped=2)
        with db.reader() as s:
            assert s.get(Company, ids["A"]).name == "Альфа из 1С"
        final = counts(compare(system, "counterparties", sec))
        assert (final["linked"], final["conflicts"], final["changed"]) == (3, 0, 0)


FAULTS = {  # the fault, and what the message must say
    "500 while creating in 1C": (
        dict(n=1, mode="500", times=10, methods=["POST"]),
        ("while creating «", "1C refused POST", "1 objects had been written in 1C"),
    ),
    "dropped while reading": (
        dict(n=1, mode="drop", times=10, methods=["GET"]),
        ("while reading 1C", "does not answer"),
    ),
    "dropped after a write in 1C": (
        dict(n=1, mode="drop_after", methods=["POST"]),
        ("while creating «", "is unknown", "1 objects had been written in 1C"),
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_halfway_leaves_qstui_as_it_was_and_the_next_run_completes(
    db: Database, world: dict, tmp_path: Path, fault: str
) -> None:
    sec, system, store = secrets(tmp_path), world["system"], world["store"]
    for n in range(4):  # more to create in 1C, so the fault comes halfway
        company(system, f"Ещё {n}", inn=inn10(20 + n), kpp=KPP)
    policy = SyncPolicy(create_here=True, create_there=True)
    plan, says = FAULTS[fault]
    with running(db, store) as sim:
        before = state(db)
        sim.faults.fail_after(**plan)
        with pytest.raises(SyncFailed) as failed:
            apply(system, "counterparties", sec, policy, page_size=2)
        message = str(failed.value)
        assert "Nothing was changed in qstui" in message and "base bp" in message
        assert all(part in message for part in says), message
        assert state(db) == before
        run, log = last_run(db)
        assert run.status == ExchangeStatus.FAILED and run.error_text == message
        assert [(e.level, e.message) for e in log] == [(LogLevel.ERROR, message)]

        sim.faults.clear()
        apply(system, "counterparties", sec, policy, page_size=2)
        run, _log = last_run(db)
        assert run.status == ExchangeStatus.OK
        assert counts(compare(system, "counterparties", sec))["linked"] == 9
        inns = [c["ИНН"] for c in their_counterparties(store)]
        assert len(inns) == len(set(inns)) == 9  # nothing created twice in 1C
        with db.reader() as s:
            assert len(s.scalars(select(Company.id)).all()) == 9


def test_nomenclature_both_ways_with_units(db: Database, tmp_path: Path) -> None:
    sec, system, store = secrets(tmp_path), Context.system(db), Store("bp30")
    bolt = product(db, "Болт М8", "B-8", unit="796")
    hour = product(db, "Монтаж", "W-1", unit="356")
    units = {
        code: store.create("Catalog_КлассификаторЕдиницИзмерения", {"Code": code})["Ref_Key"]
        for code in ("796", "166")
    }
    nomenclature = "Catalog_Номенклатура"
    same = store.create(
        nomenclature,
        {"Description": "Болт М8", "Артикул": "B-8", "ЕдиницаИзмерения_Key": units["796"]},
    )["Ref_Key"]
    store.create(
        nomenclature,
        {"Description": "Гвозди", "Артикул": "N-1", "ЕдиницаИзмерения_Key": units["166"]},
    )
    with running(db, store):
        report = compare(system, "nomenclature", sec).as_dict()
        assert [(r["object_id"], r["ref"], r["match"]) for r in report["proposed"]] == [
            (bolt, same, "article")
        ]
        policy = SyncPolicy(create_here=True, create_there=True)
        done = apply(system, "nomenclature", sec, policy)
        assert done.applied == SyncApplied(linked=1, created_here=1, created_there=1)
        with db.reader() as s:
            nails = s.execute(
                select(Product.id, Product.name, Product.sku, Unit.okei_code)
                .join(Unit, Unit.id == Product.unit_id)
                .where(Product.sku == "N-1")
            ).one()
        assert (nails.name, nails.okei_code) == ("Гвозди", "166")
        (work,) = [p for p in store.rows(nomenclature) if p["Артикул"] == "W-1"]
        assert work["Description"] == "Монтаж"
        assert work["ЕдиницаИзмерения_Key"] == "00000000-0000-0000-0000-000000000000"  # no 356
        linked = links(db, "product")
        assert set(linked) == {bolt, hour, nails.id} and linked[bolt] == same
        again = apply(system, "nomenclature", sec, policy)
        assert again.applied == SyncApplied()
