"""The 1C nomenclature sync benchmark (``bench/onec_sync``), briefly and untimed on
SQLite: against the simulator on loopback it creates every item, syncs again (nothing
changes) and links every item by article — each asserted inside — and prints each
figure beside its floor and target."""

from __future__ import annotations

import pytest
from bench.onec_sync import main

pytestmark = pytest.mark.one_backend


def test_the_onec_sync_bench_runs_and_prints_its_figures(capsys):
    assert main(["--items", "40", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("create 40 in qstui", "second run (nothing)", "link 40 by article"):
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert line.count("ms") == 4 and line.endswith("ok"), line  # median, p95, floor, target
