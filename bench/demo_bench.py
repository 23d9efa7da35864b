"""Benchmark of the demo generator and the bulk-insert path.

    python bench/demo_bench.py --db URL [--size large] [--seed 1] [--today YYYY-MM-DD]

Creates and initializes the database if needed (it must not hold companies yet), runs
``qstui.demo.generate`` and prints rows/s per table family and the total time.
Targets for ``--size large``: < 5 min on SQLite, < 15 min on a Firebird server over TCP.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select

from qstui.db.create import create_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision, upgrade
from qstui.db.models import Company
from qstui.db.urls import normalize_url
from qstui.demo import STAGES, generate


def prepare(url_text: str) -> Database:
    url = normalize_url(url_text)
    created = create_database(url)
    db = Database(url)
    if created or current_revision(db) != head_revision():
        upgrade(db)
        load_defaults(db)
    with db.reader() as s:
        if s.scalar(select(func.count()).select_from(Company)):
            raise SystemExit(f"{db.display_url} already has companies: use a fresh database")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (created if missing)")
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()

    db = prepare(args.db)
    print(f"{db.display_url}: generating {args.size} demo data…", flush=True)
    last = {stage: -1.0 for stage in STAGES}
    started, cpu = time.perf_counter(), time.process_time()

    def progress(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if (stage == "companies" and share - last[stage] >= 0.1) or share >= 1.0 > last[stage]:
            elapsed, used = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"  {stage:<10} {done:>9}/{total:<9} {elapsed:7.1f}s wall {used:7.1f}s cpu",
                flush=True,
            )
            last[stage] = share

    try:
        result = generate(db, args.size, args.seed, args.today, progress)
    finally:
        db.dispose()
    print()
    print(f"{'family':<10} {'rows':>10} {'seconds':>9} {'rows/s':>9}")
    for family in [*STAGES, *sorted(set(result.family_seconds) - set(STAGES))]:
        rows = result.family_rows.get(family, 0)
        seconds = result.family_seconds.get(family, 0.0)
        rate = rows / seconds if seconds else 0.0
        print(f"{family:<10} {rows:>10} {seconds:>9.1f} {rate:>9.0f}")
    total_rows = sum(result.counts.values())
    print(
        f"{'total':<10} {total_rows:>10} {result.seconds:>9.1f} {total_rows / result.seconds:>9.0f}"
    )
    print(f"CPU time of this process: {time.process_time() - cpu:.1f} s")
    print()
    for table, count in sorted(result.counts.items()):
        print(f"  {table:<18} {count:>9}")


if __name__ == "__main__":
    main()
