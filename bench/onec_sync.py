"""The nomenclature sync with 1C at size (issue 12, E2/E9): 10 000 items of a simulated 1C
base synced into a scratch database, beside the targets.

    python -m bench.onec_sync [--db URL] [--items 10000] [--runs 3]

The 1C base is the simulator (``qstui.onec.simulator``) served over HTTP on loopback in
a thread of this process, as the tests use it; its nomenclature holds ``--items`` items
with their articles and unit. The scratch database (default: a temporary SQLite file;
``--db`` or ``QSTUI_BENCH_ONEC_DB`` a Firebird URL, whose file is dropped and made
again) starts with no product. Measured, each run from that empty state (the products,
their links and the runs of the previous run deleted):

- the first sync, creating every item in qstui (read 1C page by page, compare, insert
  the products, their audit rows and links, the run and its log, in one transaction);
- a second sync, which changes nothing (read and compare, record the run);
- the sync linking every item after the links were forgotten (the products kept: each
  is proposed by its article and linked).

Floor: reading the items from the simulator alone (the HTTP pages and their parsing),
which every sync does first. Targets: ≤ 10 s on SQLite, ≤ 20 s on Firebird.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import delete

from bench.measure import Figure
from bench.scratch import elapsed_ms, scratch_database
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, ExchangeRun, OnecLink, Product
from qstui.domain.onec import SyncApplied, SyncPolicy
from qstui.onec.odata import ODataClient
from qstui.onec.secrets import Secrets
from qstui.onec.simulator import Simulator, Store
from qstui.services.context import Context
from qstui.services.onec import bases
from qstui.services.onec.sync_nomenclature import Nomenclature
from qstui.services.onec.sync_run import apply_references

BASE = "bench"
USER = "Администратор"
PASSWORD = "bench-1c"
NOMENCLATURE = "Catalog_Номенклатура"
UNITS = "Catalog_КлассификаторЕдиницИзмерения"
TARGET_MS = {"sqlite": 10_000.0, "firebird": 20_000.0}


def seed_store(items: int) -> Store:
    """A 1C base whose nomenclature holds ``items`` items in pieces (ОКЕИ 796)."""
    store = Store("bp30")
    piece = store.create(UNITS, {"Code": "796", "Description": "шт"})["Ref_Key"]
    for n in range(items):
        store.create(
            NOMENCLATURE,
            {
                "Description": f"Изделие {n:05d}",
                "Артикул": f"ART-{n:05d}",
                "ЕдиницаИзмерения_Key": piece,
            },
        )
    return store


def forget(db: Database, products: bool) -> None:
    """Forget the links and runs (and with ``products``, the products and their audit
    rows): the state the next run starts from."""
    with db.transaction() as s:
        s.execute(delete(OnecLink))
        s.execute(delete(ExchangeRun))
        if products:
            s.execute(delete(AuditEntry).where(AuditEntry.object_kind == "product"))
            s.execute(delete(Product))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.onec_sync")
    parser.add_argument("--db", default=os.environ.get("QSTUI_BENCH_ONEC_DB"))
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with scratch_database(args.db, "qstui-onec-bench-") as (db, backend):
        print(f"1C nomenclature sync bench on {backend}: {args.items} items…", flush=True)
        with Simulator(seed_store(args.items), user=USER, password=PASSWORD) as sim:
            measure(db, sim, args.items, args.runs, TARGET_MS[backend])
    return 0


def measure(db: Database, sim: Simulator, items: int, runs: int, target: float) -> None:
    ctx = Context.system(db)
    bases.add_base(ctx, BASE, sim.url, "bp30", USER)
    secrets = Secrets.of(
        Path("/nonexistent/qstui.toml"), env={"QSTUI_ONEC_BENCH_PASSWORD": PASSWORD}
    )

    def sync() -> SyncApplied:
        result = apply_references(
            ctx, BASE, "nomenclature", secrets, policy=SyncPolicy(create_here=True)
        )
        assert result.applied is not None
        return result.applied

    def read() -> int:
        with ODataClient(sim.url, USER, PASSWORD) as client:
            return len(Nomenclature("bp30").theirs(client, 500))

    created, again, linked, reading = [], [], [], []
    for _ in range(runs):
        forget(db, products=True)
        ms, done = elapsed_ms(sync)
        assert done == SyncApplied(created_here=items), done
        created.append(ms)
        ms, done = elapsed_ms(sync)
        assert done == SyncApplied(), done
        again.append(ms)
        forget(db, products=False)
        ms, done = elapsed_ms(sync)
        assert done == SyncApplied(linked=items), done
        linked.append(ms)
        ms, count = elapsed_ms(read)
        assert count == items, count
        reading.append(ms)
    floor = Figure.of(reading)
    print(f"{'':30}{'median':>10}{'p95':>10}{'floor':>10}{'target':>10}")
    for name, times in (
        (f"create {items} in qstui", created),
        ("second run (nothing)", again),
        (f"link {items} by article", linked),
    ):
        fig = Figure.of(times)
        mark = "ok" if fig.median <= target else "MISSED"
        print(
            f"{name:30}{fig.median:>9.0f}ms{fig.p95:>8.0f}ms{floor.median:>8.0f}ms"
            f"{target:>8.0f}ms  {mark}"
        )


if __name__ == "__main__":
    sys.exit(main())
