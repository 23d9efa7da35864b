"""Timing: median and p95 of repeated runs, and how a figure compares with its target."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """Milliseconds of ``runs`` runs."""

    median: float
    p95: float
    runs: int

    @classmethod
    def of(cls, times: list[float]) -> Figure:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(statistics.median(ordered), p95, len(ordered))

    def as_dict(self) -> dict[str, Any]:
        return {"median_ms": round(self.median, 2), "p95_ms": round(self.p95, 2), "runs": self.runs}


def timed(call: Callable[[], Any], runs: int, warmup: int = 1) -> tuple[Figure, Any]:
    """Run ``call`` ``warmup`` times untimed, then ``runs`` times; the figure and the
    last result."""
    result = None
    for _ in range(warmup):
        result = call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return Figure.of(times), result
