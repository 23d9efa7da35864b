"""bench/RESULTS.md: one section per backend, rewritten from a run's figures."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEAD = """# Benchmark results

A section per backend is rewritten by `python -m bench --results` (`make bench`; how it
measures: the docstring of `bench/__main__.py`). Figures are milliseconds, median and
p95; "floor" is the same rows by hand-written SQL through the same driver; "×" is
qstui's median over the floor's. `!` marks a missed target. The other sections are
written by hand.
"""


def commit() -> str:
    """The commit measured (what ``git describe`` says; "unknown" outside a clone)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=RESULTS.parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine() -> str:
    cpus = os.cpu_count()
    return (
        f"{platform.system()} {platform.release()}, {cpus} CPU(s), Python"
        f" {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}"
    )


def _service_table(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "| user | operation | median | p95 | floor (median) | × | rows |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        floor = r.get("floor")
        cells = [r["user"], r["name"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}"]
        if floor is None:
            cells += ["—", "—", "—"]
        elif r["kind"] == "write":
            cells += [f"{floor['median_ms']:.1f}", "—", "a bare UPDATE"]
        elif r.get("same_rows") is None:
            cells += [f"{floor['median_ms']:.1f}", "—", "the bare index read"]
        else:
            mark = "" if r["ratio"] <= 2 else " !"
            same = "same" if r["same_rows"] else "**differ**"
            cells += [f"{floor['median_ms']:.1f}", f"{r['ratio']}{mark}", same]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _screen_table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| user | key press → painted | median | p95 | target p95 |", "|---|---|---:|---:|---:|"]
    for r in rows:
        mark = "" if r["p95_ms"] <= r["target"] else " !"
        out.append(
            f"| {r['user']} | {r['name']} | {r['median_ms']:.1f} | {r['p95_ms']:.1f}{mark} |"
            f" {r['target']:.0f} |"
        )
    return out


def section(report: dict[str, Any]) -> str:
    lines = [
        f"## {report['backend']}",
        "",
        f"{report['machine']}; {report['runs']} runs per figure; database"
        f" `{report['database']}`; code at {report.get('commit', 'unknown')}.",
        "",
        "### Through the services",
        "",
        *_service_table(report["services"]),
    ]
    if report["screens"]:
        lines += ["", "### From the key press to the painted screen (headless, 200×60)", ""]
        lines += _screen_table(report["screens"])
    return "\n".join(lines) + "\n"


def update(report: dict[str, Any], path: Path = RESULTS) -> None:
    """Replace this backend's section (kept: the other sections and the notes)."""
    text = path.read_text() if path.exists() else HEAD
    new = section(report)
    pattern = re.compile(rf"^## {re.escape(report['backend'])}\n.*?(?=^## |\Z)", re.M | re.S)
    text = pattern.sub(new + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + new
    path.write_text(text)
