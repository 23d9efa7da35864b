"""The reports benchmark (``bench/reports``), briefly and untimed on a small demo: every
report runs for each user and is printed with its CPU time, beside its floor and target."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.reports import main
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database

pytestmark = pytest.mark.one_backend


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory, frozen_clock: object) -> Iterator[Database]:
    with demo_database("sqlite", tmp_path_factory) as db:
        yield db


def test_the_reports_bench_runs_every_report_for_each_user(demo, capsys):
    url = demo.url.render_as_string(hide_password=False)
    assert main(["--db", url, "--runs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in ("funnel", "sales by manager by month", "manager control", "receivables"):
        for login in ("head", "admin"):
            line = next(x for x in lines if x.startswith(name) and f" {login} " in x)
            assert line.count("ms") == 5 and "rows)" in line, line  # median p95 cpu floor target
