"""The bank import benchmark (``bench/bank_import``), briefly and untimed on SQLite: it
seeds, imports every document once (the second import creates nothing — both asserted
inside) and prints each figure beside its floor and target."""

from __future__ import annotations

import pytest
from bench.bank_import import main

pytestmark = pytest.mark.one_backend


def test_the_bank_import_bench_runs_and_prints_its_figures(capsys):
    assert main(["--documents", "60", "--clients", "12", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("dry run, 60 docs", "import, 60 docs", "second import (nothing)"):
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert line.count("ms") == 4, line  # median, p95, floor, target
