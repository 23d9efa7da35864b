"""The many-managers benchmark (``bench/concurrent``), briefly and untimed: a few
managers on a small demo, on both backends. Its verification must pass and its report
must name every operation; timings are never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.concurrent.__main__ import main
from bench.concurrent.workload import OPERATIONS
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, frozen_clock: object
) -> Iterator[Database]:
    with demo_database(backend, tmp_path_factory) as db:
        yield db


def test_a_brief_load_loses_nothing(
    demo: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "run.json"
    url = demo.url.render_as_string(hide_password=False)
    brief = ["--users", "4", "--minutes", "0.05", "--think", "0.05-0.3"]
    code = main(["--db", url, *brief, "--json", str(report)])
    printed = capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["verification"]["ok"], printed
    assert data["errors"] == [], printed
    assert code == 0
    assert list(data["operations"]) == list(OPERATIONS)
    for op, row in data["operations"].items():
        assert row["count"] >= 1, op  # every manager does every operation once first
        assert row["count"] == row["ok"] + row["conflicts"] + row["errors"], op
        assert op in printed
    assert data["writes_acknowledged"] > 0
    assert all(check["checked"] > 0 for check in data["verification"]["checks"]), printed


def test_scripts_in_bench_still_see_the_standard_concurrent() -> None:
    """``python bench/x.py`` puts bench/ first on sys.path, where this package would
    hide the standard library's ``concurrent`` (asyncio imports ``concurrent.futures``)."""
    done = subprocess.run(
        [sys.executable, "bench/demo_bench.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
