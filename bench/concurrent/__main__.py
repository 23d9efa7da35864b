"""``python -m bench.concurrent --db URL --users 50 --minutes 2 [--seed N] [--json FILE]``
(see the package's docstring)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench.concurrent.report import summary, table
from bench.concurrent.verify import verify
from bench.concurrent.workload import run
from qstui.db.urls import normalize_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.concurrent",
        description="Many managers at once on one demo database, then a check that "
        "nothing was lost.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("QSTUI_BENCH_DB"),
        help="database URL holding a demo (default $QSTUI_BENCH_DB, where `ps` does not "
        "show its password)",
    )
    parser.add_argument("--users", type=int, default=50, help="simulated managers (50)")
    parser.add_argument("--minutes", type=float, default=2.0, help="how long they work (2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--think",
        default="2-8",
        metavar="LOW-HIGH",
        help="seconds a manager spends between operations, drawn evenly (2-8; 0.05-0.3 "
        "makes it a stress test)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("give the database: --db URL or $QSTUI_BENCH_DB")
    if args.users < 1 or args.minutes <= 0:
        parser.error("--users and --minutes must be positive")
    try:
        low, high = (float(part) for part in args.think.split("-"))
    except ValueError:
        parser.error("--think is two numbers of seconds, e.g. 2-8")
    if not 0 <= low <= high:
        parser.error("--think: 0 <= LOW <= HIGH")
    result = run(normalize_url(args.db), args.users, args.minutes * 60, args.seed, (low, high))
    data = summary(result, verify(result))
    print(table(data))
    if args.json is not None:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    healthy = data["verification"]["ok"] and not data["errors"]
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
