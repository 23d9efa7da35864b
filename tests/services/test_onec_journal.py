"""The exchange journal (E9) on SQLite and Firebird, against the simulator as a real HTTP
server on loopback (one for the module): every reference sync run is recorded with its
counts and lines, a second run changes nothing, a cancelled or broken run leaves qstui
as it was and is in the journal with what failed and where; the journal is read newest
first, narrowed and paged, by whoever has ``onec.exchange`` or ``admin``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from client_support import company, inn10, make_team
from onec_sync_support import (
    BASE,
    PASSWORD,
    USER,
    apply,
    counterparty,
    product,
    secrets,
    state,
)

from qstui.db.engine import Database
from qstui.domain.enums import ExchangeStatus, LogLevel
from qstui.domain.errors import AccessDenied, NotFound
from qstui.domain.onec import SyncApplied, SyncPolicy
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.server import DROP, ERROR_500
from qstui.services import rights as R
from qstui.services.access.users import grant
from qstui.services.context import Context, context_for
from qstui.services.onec import bases
from qstui.services.onec.journal_read import list_runs, run_log
from qstui.services.onec.sync_run import SyncCancelled, SyncFailed

KPP = "773601001"
NOMENCLATURE = "Catalog_Номенклатура"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(Store("bp30"), user=USER, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def world(db: Database, sim: Simulator) -> dict:
    """Two companies here (one also in 1C, one only here), one counterparty only in 1C;
    three products here, four in 1C (two of them with our articles)."""
    sim.store = store = Store("bp30")
    sim.faults.clear()
    team = make_team(db)
    system = team.system
    company(system, "Альфа", inn=inn10(1), kpp=KPP)
    company(system, "Бета", inn=inn10(2), kpp=KPP)
    counterparty(store, "Альфа", inn10(1), KPP)
    counterparty(store, "Икс", inn10(9), KPP)
    for n in range(3):
        product(db, f"Изделие {n}", f"A-{n}")
    for n in (0, 1, 7, 8):
        store.create(NOMENCLATURE, {"Description": f"Изделие {n}", "Артикул": f"A-{n}"})
    bases.add_base(system, BASE, sim.url, "bp30", USER)
    return {"system": system, "store": store}


BOTH_WAYS = SyncPolicy(create_here=True, create_there=True)


def test_each_run_is_recorded_with_its_counts_and_a_second_changes_nothing(
    db: Database, world: dict, tmp_path: Path
) -> None:
    sec, system = secrets(tmp_path), world["system"]
    done = apply(system, "counterparties", sec, BOTH_WAYS)
    assert done.applied == SyncApplied(linked=1, created_here=1, created_there=1)
    run, lines = run_log(system, done.run_id)
    assert (run.kind, run.base, run.status) == ("sync_counterparties", BASE, ExchangeStatus.OK)
    assert (run.created, run.updated, run.skipped, run.errors) == (2, 1, 0, 0)
    assert "linked 1, created in qstui 1, created in 1C 1" in run.summary
    assert sorted(line.message for line in lines) == [
        "Created in 1C: «Бета»",
        "Created in qstui from 1C: «Икс»",
        "Linked: «Альфа»",
    ]
    assert all(line.level == LogLevel.INFO and line.ref_key for line in lines)

    products = apply(system, "nomenclature", sec, BOTH_WAYS)
    assert products.applied == SyncApplied(linked=2, created_here=2, created_there=1)
    snapshot, their = state(db), len(world["store"].rows(NOMENCLATURE))
    for kind in ("counterparties", "nomenclature"):
        again = apply(system, kind, sec, BOTH_WAYS)
        assert again.applied == SyncApplied()
        run, lines = run_log(system, again.run_id)
        assert (run.created, run.updated, run.skipped, run.errors) == (0, 0, 0, 0)
        assert run.status == ExchangeStatus.OK and lines == []
    assert state(db) == snapshot and len(world["store"].rows(NOMENCLATURE)) == their
    runs = list_runs(system)
    assert [r.kind for r in runs] == [
        "sync_nomenclature",
        "sync_counterparties",
        "sync_nomenclature",
        "sync_counterparties",
    ]


def test_a_row_that_fails_our_checks_is_skipped_and_logged_as_a_warning(
    db: Database, world: dict, tmp_path: Path
) -> None:
    sec, system = secrets(tmp_path), world["system"]
    counterparty(world["store"], "Кривой ИНН", "12345", "")
    done = apply(system, "counterparties", sec, BOTH_WAYS)
    run, lines = run_log(system, done.run_id)
    assert run.skipped == 1 and run.status == ExchangeStatus.OK
    assert lines[0].level == LogLevel.WARNING  # warnings first: the journal keeps 500
    assert lines[0].message.startswith("Skipped «Кривой ИНН»:")


@pytest.mark.parametrize(("stage", "written_there"), [("reading 1C", 0), ("saving in qstui", 1)])
def test_a_cancelled_run_leaves_qstui_as_it_was_and_says_so(
    db: Database, world: dict, tmp_path: Path, stage: str, written_there: int
) -> None:
    sec, system = secrets(tmp_path), world["system"]
    seen: list[str] = []
    before = state(db)
    with pytest.raises(SyncCancelled) as cancelled:
        apply(
            system,
            "counterparties",
            sec,
            BOTH_WAYS,
            progress=lambda done, total, what: seen.append(what),
            cancelled=lambda: stage in seen,
        )
    message = str(cancelled.value)
    assert f"was cancelled while {stage}. Nothing was changed in qstui" in message
    assert "Nothing was changed in qstui" in message
    assert state(db) == before
    (run,) = list_runs(system)
    assert (run.status, run.error_text, run.base) == (ExchangeStatus.FAILED, message, BASE)
    _run, lines = run_log(system, run.id)
    assert [(line.level, line.message) for line in lines] == [(LogLevel.ERROR, message)]
    # Бета made in 1C before the cancel is found by the next run and linked
    assert ("1 objects had been written in 1C before" in message) == bool(written_there)
    done = apply(system, "counterparties", sec, BOTH_WAYS)
    assert done.applied.created_there == 1 - written_there
    assert done.applied.linked == 1 + written_there
    their = [c["ИНН"] for c in world["store"].rows("Catalog_Контрагенты")]
    assert sorted(their) == sorted(set(their)) == [inn10(1), inn10(2), inn10(9)]


@pytest.mark.parametrize("mode", [ERROR_500, DROP])
def test_a_fault_halfway_through_the_nomenclature_leaves_qstui_as_it_was(
    db: Database, world: dict, sim: Simulator, tmp_path: Path, mode: str
) -> None:
    sec, system = secrets(tmp_path), world["system"]
    before = state(db)
    # the second page of 1C's nomenclature fails, retries and all
    sim.faults.fail_after(1, mode, times=10, methods=["GET"], path_part=NOMENCLATURE)
    with pytest.raises(SyncFailed) as failed:
        apply(system, "nomenclature", sec, BOTH_WAYS, page_size=2)
    message = str(failed.value)
    assert "while reading 1C" in message and "Nothing was changed in qstui" in message
    assert state(db) == before
    (run,) = list_runs(system, kind="sync_nomenclature")
    assert run.failed and run.error_text == message and run.errors == 1
    sim.faults.clear()
    done = apply(system, "nomenclature", sec, BOTH_WAYS, page_size=2)
    assert done.applied == SyncApplied(linked=2, created_here=2, created_there=1)
    newest, failed_run = list_runs(system)
    assert (newest.status, failed_run.id) == (ExchangeStatus.OK, run.id)


def test_the_journal_is_read_newest_first_narrowed_and_paged(
    db: Database, world: dict, tmp_path: Path
) -> None:
    sec, system = secrets(tmp_path), world["system"]
    ids = [apply(system, kind, sec).run_id for kind in ("counterparties", "nomenclature") * 3]
    assert [r.id for r in list_runs(system)] == ids[::-1]
    assert [r.id for r in list_runs(system, limit=2, offset=2)] == ids[::-1][2:4]
    assert [r.id for r in list_runs(system, kind="sync_counterparties")] == ids[::2][::-1]
    assert list_runs(system, base="other") == []
    assert len(list_runs(system, base=BASE)) == 6
    with pytest.raises(NotFound):
        run_log(system, ids[-1] + 100)


def test_the_journal_needs_onec_exchange_or_admin(db: Database, world: dict) -> None:
    system = world["system"]
    ivanov = context_for(db, "ivanov")
    for read in (lambda ctx: list_runs(ctx), lambda ctx: run_log(ctx, 1)):
        with pytest.raises(AccessDenied):
            read(ivanov)
    grant(system, "ivanov", R.ONEC_EXCHANGE)
    assert list_runs(context_for(db, "ivanov")) == []
    # an administrator without the exchange right
    admin_only = replace(Context.system(db), rights=frozenset({R.ADMIN}))
    assert list_runs(admin_only) == []


@pytest.mark.one_backend
def test_every_run_kind_has_a_name_in_the_journal() -> None:
    from qstui.domain.onec_deal import RUN_KINDS, SYNC_DOCUMENTS
    from qstui.services.onec.bank_import import RUN_KIND as BANK
    from qstui.services.onec.journal_read import KIND_LABELS

    kinds = {*RUN_KINDS.values(), SYNC_DOCUMENTS, BANK, "sync_counterparties", "sync_nomenclature"}
    assert kinds <= set(KIND_LABELS)
