"""The exchange journal (E9): every 1C run and bank import is one ``exchange_runs`` row
with its counts and its ``exchange_log`` lines.

A run that succeeded is recorded by ``record_run`` inside the run's own transaction, so
the record and the data it describes commit together. A run that failed left nothing of
its data; ``record_failure`` writes its record in a transaction of its own, so the
failure is in the journal even though the run's transaction rolled back.

Rights are the caller's: whoever may run the exchange may have it recorded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.models import ExchangeLog, ExchangeRun
from qstui.domain.clock import utcnow
from qstui.domain.enums import ExchangeStatus, LogLevel
from qstui.services.context import Context

MAX_LINES = 500  # log lines kept per run; the counts say how many there were


@dataclass(frozen=True)
class LogLine:
    level: LogLevel
    message: str
    object_kind: str | None = None
    object_id: int | None = None
    ref_key: str | None = None


@dataclass(frozen=True)
class RunCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0


def record_run(
    s: Session,
    ctx: Context,
    kind: str,
    *,
    started_at: datetime,
    counts: RunCounts,
    summary: str,
    lines: Iterable[LogLine] = (),
    base_id: int | None = None,
) -> int:
    """A finished run in the caller's transaction; returns the run's id."""
    run = ExchangeRun(
        base_id=base_id,
        run_kind=kind,
        status=ExchangeStatus.OK,
        started_at=started_at,
        finished_at=utcnow(),
        user_id=ctx.user_id,
        n_created=counts.created,
        n_updated=counts.updated,
        n_skipped=counts.skipped,
        n_errors=counts.errors,
        summary=summary[:2000],
    )
    s.add(run)
    s.flush()
    now = utcnow()
    rows = [
        {
            "run_id": run.id,
            "logged_at": now,
            "level": line.level,
            "object_kind": line.object_kind,
            "object_id": line.object_id,
            "ref_key": line.ref_key,
            "message": line.message[:2000],
        }
        for line in itertools.islice(lines, MAX_LINES)
    ]
    insert_rows(s.connection(), ExchangeLog.__table__, rows)  # one round trip per batch
    return run.id


def record_failure(
    ctx: Context,
    kind: str,
    exc: BaseException,
    *,
    started_at: datetime,
    summary: str = "-",
    base_id: int | None = None,
) -> None:
    """A failed (or cancelled) run, in a transaction of its own (the run's is gone):
    its error is the run's ``error_text`` and its one log line."""
    text = str(exc) or type(exc).__name__
    try:
        with ctx.db.transaction() as s:
            run = ExchangeRun(
                base_id=base_id,
                run_kind=kind,
                status=ExchangeStatus.FAILED,
                started_at=started_at,
                finished_at=utcnow(),
                user_id=ctx.user_id,
                n_errors=1,
                summary=(summary or "-")[:2000],
                error_text=text[:4000],
            )
            s.add(run)
            s.flush()
            s.add(ExchangeLog(run_id=run.id, level=LogLevel.ERROR, message=text[:2000]))
    except Exception:  # the run's own error is what the user must see
        pass
