"""The benchmark suite (``python -m bench``), briefly and untimed, on a small demo: every
operation is measured, each floor reads the very rows the service returns, and the key
presses reach their painted screens. Timings are never asserted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.__main__ import main
from bench.results import update
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database


@pytest.fixture(scope="module")
def demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, frozen_clock: object
) -> Iterator[Database]:
    with demo_database(backend, tmp_path_factory) as db:
        yield db


def _run(demo: Database, tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / "bench.json"
    url = demo.url.render_as_string(hide_password=False)
    code = main(["--db", url, "--runs", "2", "--size", "small", "--json", str(out), *extra])
    report = json.loads(out.read_text())
    assert code == 0, [r for r in report["services"] if r.get("same_rows") is False]
    return report


def test_every_floor_reads_the_rows_the_screen_shows(demo, tmp_path):
    report = _run(demo, tmp_path, "--no-screens")
    names = {(r["user"], r["name"]) for r in report["services"]}
    for user in ("ivanov", "admin"):
        assert (user, "client card") in names and (user, "deal list, first page") in names
    assert ("ivanov", "calendar month") in names and ("ivanov", "start page (Today)") in names
    compared = [r for r in report["services"] if r.get("same_rows") is not None]
    assert len(compared) >= 10
    assert all(r["same_rows"] for r in compared)
    assert all(r["median_ms"] > 0 and r["runs"] == 2 for r in report["services"])


@pytest.mark.one_backend
def test_key_presses_reach_their_painted_screens(demo, tmp_path):
    report = _run(demo, tmp_path, "--as", "ivanov")
    painted = {r["name"] for r in report["screens"]}
    for name in (
        "client list, typing a quick-filter letter",
        "open a client card",
        "client card, tab deals",
        "open a deal card",
        "calendar month",
        "start page (Today), reload",
        "funnel (F8), the next pipeline",
        "report (F6), sales recomputed",
        "cold start to the client list",
    ):
        assert name in painted
    results = tmp_path / "RESULTS.md"
    update(report, results)
    update(report, results)  # the section is replaced, not repeated
    text = results.read_text()
    assert text.count("## sqlite") == 1 and "open a client card" in text
