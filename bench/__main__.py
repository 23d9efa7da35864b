"""The benchmark suite (issue 9): what a user waits for on the large demo.

    python -m bench [--db URL] [--as LOGIN ...] [--runs 30] [--only TEXT] [--json FILE]
                    [--no-screens] [--results]

For each user (default: ivanov, a manager who sees his own clients, and admin) it
measures every operation behind a key press through the services, beside its floor
(``bench.floors``: the same rows by hand-written SQL through the same driver, checked to
be the same ids) and the ratio; then from the key press to the painted screen through a
headless qstui (``bench.screens``). Median and p95 of ``--runs`` runs, the target
beside each. An empty database gets the large demo first (``qstui demo --size large``:
about 4 min on SQLite, 15–25 min on a Firebird server).

``--results`` rewrites this backend's section of bench/RESULTS.md.
Default database: ``bench/data/large.sqlite3`` (made on the first run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench import probes as P
from bench import results, screens
from bench.measure import timed
from bench.prepare import demo_moment, prepare
from bench.targets import FLOOR_RATIO, painted_target, write_target
from qstui.db.compat import FIREBIRD
from qstui.db.engine import Database
from qstui.domain import clock
from qstui.services.context import context_for

DEFAULT_DB = f"sqlite:///{Path(__file__).resolve().parent / 'data' / 'large.sqlite3'}"
USERS = ("ivanov", "admin")


def backend_of(db: Database) -> str:
    return "firebird" if db.engine.dialect.name == FIREBIRD else "sqlite"


def service_rows(db: Database, login: str, runs: int, only: Any) -> list[dict[str, Any]]:
    ctx = context_for(db, login)
    backend = backend_of(db)
    rows = []
    for probe in P.probes(ctx, P.Samples.of(ctx)):
        if not only(probe.name):
            continue
        figure, keys = timed(probe.run, runs)
        row: dict[str, Any] = {"user": login, "name": probe.name, "kind": probe.kind}
        row.update(figure.as_dict())
        if probe.floor is not None:
            with db.engine.connect() as conn:
                floor, floor_keys = timed(lambda c=conn, p=probe: P.floor_of(p, c), runs)
            row["floor"] = floor.as_dict()
            row["ratio"] = round(figure.median / max(floor.median, 0.01), 2)
            row["same_rows"] = (keys == floor_keys) if probe.same else None
        row["target"] = (
            write_target(backend) if probe.kind == "write" else FLOOR_RATIO
        )  # writes: ms; reads: the ratio to the floor
        rows.append(row)
        _print_service(row)
    return rows


def screen_rows(db: Database, login: str, runs: int, only: Any) -> list[dict[str, Any]]:
    backend = backend_of(db)
    kinds = screens.kinds()
    rows = []
    for name, figure in screens.run_screens(db, login, runs, only).items():
        kind = kinds.get(name, "card")
        row = {"user": login, "name": name, "kind": kind, **figure.as_dict()}
        row["target"] = painted_target(kind, backend)
        rows.append(row)
        _print_screen(row)
    return rows


def _mark(ok: bool) -> str:
    return " " if ok else "!"


def _print_service(row: dict[str, Any]) -> None:
    text = f"  {row['name']:<42} {row['median_ms']:8.1f} {row['p95_ms']:8.1f} ms"
    if "floor" in row:
        floor = f"   floor {row['floor']['median_ms']:7.1f} ms"
        if row["kind"] == "write":
            text += f"{floor}   (a bare UPDATE)"
        elif row["same_rows"] is None:
            text += f"{floor}   (the bare index read: not the same rows, no ratio)"
        else:
            same = "same rows" if row["same_rows"] else "ROWS DIFFER"
            ok = row["ratio"] <= FLOOR_RATIO
            text += f"{floor}  ×{row['ratio']:<5.1f} {_mark(ok)} ({same})"
    print(text, flush=True)


def _print_screen(row: dict[str, Any]) -> None:
    ok = row["p95_ms"] <= row["target"]
    print(
        f"  {row['name']:<42} {row['median_ms']:8.1f} {row['p95_ms']:8.1f} ms"
        f"   target p95 ≤ {row['target']:.0f} ms {_mark(ok)}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        default=os.environ.get("QSTUI_BENCH_DB") or DEFAULT_DB,
        help="database URL (the large demo); a URL with a password is better given in "
        "$QSTUI_BENCH_DB, where `ps` does not show it",
    )
    parser.add_argument("--as", dest="logins", action="append", metavar="LOGIN")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="measure only what has this text in its name")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--no-screens", action="store_true", help="services only")
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--results", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)

    def only(name: str) -> bool:
        return args.only is None or args.only.lower() in name.lower()

    db = prepare(args.db, args.size)
    backend = backend_of(db)
    report: dict[str, Any] = {
        "backend": backend,
        "database": db.display_url,
        "machine": results.machine(),
        "commit": results.commit(),
        "runs": args.runs,
        "services": [],
        "screens": [],
    }
    # every run sees the same "now": 10:00 on the demo's day (its plans are around it);
    # afterwards the clock is as it was (a test may have frozen it)
    try:
        with clock.freeze(demo_moment(db) or clock.local_now()):
            for login in args.logins or USERS:
                print(f"\n{backend}, {login} — through the services (median, p95):", flush=True)
                report["services"] += service_rows(db, login, args.runs, only)
                if not args.no_screens:
                    print(f"{backend}, {login} — key press to painted screen:", flush=True)
                    report["screens"] += screen_rows(db, login, args.runs, only)
    finally:
        db.dispose()
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    if args.results:
        results.update(report)
    differ = [r for r in report["services"] if r.get("same_rows") is False]
    for row in differ:
        print(f"the floor of «{row['name']}» ({row['user']}) read other rows", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
