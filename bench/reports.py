"""The reports of issue 11 on the large demo: funnel, sales by manager by month, manager
control and receivables, as a head of department (``head``) and the administrator sees
them, each beside its floor and its target.

    python -m bench.reports [--db URL] [--runs 10] [--as LOGIN ...]

Default database: the large demo of ``python -m bench`` (``bench/data/large.sqlite3``);
``QSTUI_BENCH_DB`` or ``--db`` another (the Firebird one). The period is the demo's
current year. A figure is the report computed through its service (rights, visibility,
currency conversion, names, notes); its floor is the report's core ``GROUP BY`` over the
same rows by hand-written SQL through the same driver, for the administrator's scope
(no visibility filter) — what no implementation of that report can avoid reading.
Median and p95 of ``--runs`` runs. Targets: ≤ 500 ms on SQLite, ≤ 1 000 ms on Firebird.
Beside them, ``cpu``: the median CPU time of this process per run — on SQLite all the
work, on Firebird the Python part; a wall time far above it is waiting (for the server,
or for a core on a loaded machine), which tells a slow report from a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from bench.__main__ import DEFAULT_DB, backend_of
from bench.measure import timed
from bench.prepare import demo_moment
from qstui import memory
from qstui.db.engine import Database
from qstui.domain import clock
from qstui.domain.reports import ReportOptions, ReportTable
from qstui.services.context import context_for
from qstui.services.refbooks.pipelines import list_pipelines
from qstui.services.reports.funnel import funnel_report
from qstui.services.reports.managers import managers_report
from qstui.services.reports.ready import READY
from qstui.services.reports.receivables import receivables_report

TARGET_MS = {"sqlite": 500.0, "firebird": 1000.0}
USERS = ("head", "admin")


def floors(backend: str, year: int, pipeline_id: int) -> dict[str, tuple[str, ...]]:
    """The core GROUP BYs of each report (see the module doc), over the tables the
    report reads: the reports' narrow copies (``db.models.facts``) where it reads them."""
    first, last = f"'{year}-01-01'", f"'{year}-12-31'"
    month = (
        "EXTRACT(MONTH FROM closed_on)" if backend == "firebird" else "strftime('%m', closed_on)"
    )
    return {
        "funnel": (
            "SELECT stage_id, COUNT(*), SUM(amount) FROM deal_facts "
            f"WHERE status = 'open' AND pipeline_id = {pipeline_id} GROUP BY stage_id",
            "SELECT stage_id, COUNT(*), COUNT(done_on) FROM stage_facts "
            f"WHERE pipeline_id = {pipeline_id} GROUP BY stage_id",
        ),
        "sales by manager by month": (
            f"SELECT manager_id, {month}, currency_code, COUNT(*), "
            "SUM(amount) FROM deals WHERE status = 'won' "
            f"AND closed_on BETWEEN {first} AND {last} "
            f"GROUP BY manager_id, {month}, currency_code",
        ),
        "manager control": (
            "SELECT manager_id, status, COUNT(*), SUM(amount) FROM deal_facts "
            f"WHERE status <> 'open' AND closed_on BETWEEN {first} AND {last} "
            "GROUP BY manager_id, status",
            "SELECT responsible_id, SUM(done) FROM event_hours "
            f"WHERE at_hour >= CAST({first} AS TIMESTAMP) "
            f"AND at_hour < CAST('{year + 1}-01-01' AS TIMESTAMP) GROUP BY responsible_id",
        ),
        "receivables": (
            "SELECT company_id, manager_id, SUM(debt) FROM deal_facts "
            "WHERE debt > 0 GROUP BY company_id, manager_id",
        ),
    }


def reports(year: int, pipeline_id: int) -> dict[str, Callable[[Any], ReportTable]]:
    period = (date(year, 1, 1), date(year, 12, 31))
    return {
        "funnel": lambda ctx: funnel_report(ctx, ReportOptions(pipeline_id=pipeline_id)),
        "sales by manager by month": lambda ctx: READY["sales"](
            ctx, ReportOptions(period=period, by=("manager", "month"))
        ),
        "manager control": lambda ctx: managers_report(ctx, ReportOptions(period=period)),
        "receivables": lambda ctx: receivables_report(ctx, ReportOptions()),
    }


def _floor(conn: Connection, statements: tuple[str, ...]) -> int:
    return sum(len(conn.execute(text(sql)).all()) for sql in statements)


def _cpu_timed(call: Callable[[], Any], runs: int) -> tuple[Any, Any, float]:
    """``timed(call, runs)`` and the median CPU milliseconds of this process per timed run."""
    spent: list[float] = []

    def run() -> Any:
        start = time.process_time()
        try:
            return call()
        finally:
            spent.append((time.process_time() - start) * 1000)

    figure, result = timed(run, runs)
    return figure, result, statistics.median(spent[-runs:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--db", default=os.environ.get("QSTUI_BENCH_DB", DEFAULT_DB))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--as", dest="users", action="append")
    args = parser.parse_args(argv)
    db = Database(args.db)
    try:
        backend = backend_of(db)
        target = TARGET_MS[backend]
        moment = demo_moment(db)
        with clock.freeze(moment) if moment is not None else nullcontext():
            year = clock.today().year
            admin = context_for(db, "admin")
            # the collector as the app and the admin commands set it (``qstui.memory``):
            # a report's rows are built under it there
            memory.keep_out_of_the_way()
            pipeline_id = next(p.id for p in list_pipelines(admin) if p.is_default)
            sql = floors(backend, year, pipeline_id)
            print(f"reports on {backend}, {year}, median/p95 of {args.runs} runs")
            print(
                f"{'':28}{'user':>7}{'median':>10}{'p95':>10}{'cpu':>10}{'floor':>10}{'target':>10}"
            )
            for name, compute in reports(year, pipeline_id).items():
                with db.engine.connect() as conn:
                    floor, _ = timed(lambda c=conn, q=sql[name]: _floor(c, q), args.runs)
                for login in args.users or USERS:
                    ctx = context_for(db, login)
                    figure, table, cpu = _cpu_timed(lambda c=ctx, f=compute: f(c), args.runs)
                    mark = "ok" if figure.median <= target else "MISSED"
                    print(
                        f"{name:28}{login:>7}{figure.median:>8.0f}ms{figure.p95:>8.0f}ms"
                        f"{cpu:>8.0f}ms{floor.median:>8.0f}ms{target:>8.0f}ms  {mark}"
                        f"  ({len(table.rows)} rows)"
                    )
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
