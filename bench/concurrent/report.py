"""The figures of a run: throughput and p50/p95/p99 per operation beside the target,
conflicts and errors, and the verification — as a dict (the JSON) and as a table."""

from __future__ import annotations

import math
import platform
from typing import Any

from bench.concurrent.verify import Verification
from bench.concurrent.workload import OPERATIONS, Run
from qstui.db.urls import is_firebird, mask_url

TARGET_P95_MS = 300.0  # issue 9: 50 managers, mixed load, per operation
SHOWN = 10  # failures printed per check (the JSON has them all)


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(run: Run, verification: Verification) -> dict[str, Any]:
    tally = run.tally
    operations = {}
    for op in OPERATIONS:
        ms = tally.ms[op]
        p95 = percentile(ms, 0.95)
        operations[op] = {
            "count": len(ms),
            "ok": tally.outcomes[(op, "ok")],
            "conflicts": tally.outcomes[(op, "conflict")],
            "conflicts_on_hot_records": tally.outcomes[(op, "conflict_hot")],
            "errors": tally.outcomes[(op, "error")],
            "p50_ms": _round(percentile(ms, 0.50)),
            "p95_ms": _round(p95),
            "p99_ms": _round(percentile(ms, 0.99)),
            "max_ms": _round(max(ms) if ms else None),
            "target_p95_ms": TARGET_P95_MS,
            "met": p95 is not None and p95 <= TARGET_P95_MS,
        }
    total = sum(len(ms) for ms in tally.ms.values())
    return {
        "database": mask_url(run.plan.url),
        "backend": "firebird" if is_firebird(run.plan.url) else "sqlite",
        "machine": f"{platform.node()} {platform.machine()} Python {platform.python_version()}",
        "started_at_utc": run.started_at.isoformat(),
        "users": run.users,
        "seconds": round(run.seconds, 1),
        "operations_total": total,
        "throughput_ops_per_s": round(total / run.seconds, 1) if run.seconds else None,
        "writes_acknowledged": len(tally.acknowledged),
        "writes_refused_as_conflicts": len(tally.refused),
        "operations": operations,
        "errors": tally.errors,
        "verification": {
            "ok": verification.ok,
            "seconds": round(verification.seconds, 1),
            "checks": [
                {
                    "name": check.name,
                    "ok": check.ok,
                    "checked": check.checked,
                    "failures": check.failures,
                    "note": check.note,
                }
                for check in verification.checks
            ],
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def table(data: dict[str, Any]) -> str:
    """The summary as plain text for the terminal."""
    lines = [
        f"{data['users']} managers on {data['database']} ({data['backend']}), "
        f"{data['seconds']} s from {data['started_at_utc']} UTC",
        f"throughput: {data['throughput_ops_per_s']} operations/s "
        f"({data['operations_total']} operations; writes: {data['writes_acknowledged']} "
        f"acknowledged, {data['writes_refused_as_conflicts']} refused as conflicts)",
        "",
        f"{'operation':<16}{'count':>7}{'conflicts':>11}{'(hot)':>7}{'errors':>8}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'target p95':>12}  met",
    ]
    for op, row in data["operations"].items():
        lines.append(
            f"{op:<16}{row['count']:>7}{row['conflicts']:>11}{row['conflicts_on_hot_records']:>7}"
            f"{row['errors']:>8}{_ms(row['p50_ms'])}{_ms(row['p95_ms'])}{_ms(row['p99_ms'])}"
            f"{'≤ ' + format(row['target_p95_ms'], '.0f'):>12}  {'yes' if row['met'] else 'NO'}"
        )
    if data["errors"]:
        lines += ["", f"errors other than conflicts ({len(data['errors'])}):"]
        lines += [f"  {line}" for line in data["errors"][:SHOWN]]
    result = data["verification"]
    lines += ["", f"verification ({result['seconds']} s): {'OK' if result['ok'] else 'FAILED'}"]
    for check in result["checks"]:
        note = f" — {check['note']}" if check["note"] else ""
        mark = "ok    " if check["ok"] else "FAILED"
        lines.append(f"  {mark} {check['name']} ({check['checked']} checked){note}")
        lines += [f"           {failure}" for failure in check["failures"][:SHOWN]]
        if len(check["failures"]) > SHOWN:
            lines.append(f"           … {len(check['failures']) - SHOWN} more")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return f"{'—' if value is None else format(value, '.1f'):>9}"
