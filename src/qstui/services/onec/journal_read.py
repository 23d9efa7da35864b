"""Reading the exchange journal (E9): the runs, newest first, and one run's log lines.

Rights: ``onec.exchange`` (who runs the exchange reads what it did) or ``admin``.
Every run is shown, whoever made it: the journal is the exchange's, not a manager's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qstui.db.models import AppUser, ExchangeLog, ExchangeRun, OnecBase
from qstui.domain.enums import ExchangeStatus, LogLevel
from qstui.domain.errors import AccessDenied, NotFound
from qstui.i18n import N_, _
from qstui.services import rights as R
from qstui.services.context import Context

PAGE = 50  # runs on one page
MAX_PAGE = 1000
KIND_LABELS = {
    "sync_counterparties": N_("counterparties"),
    "sync_nomenclature": N_("nomenclature"),
    "bank_import": N_("bank statement"),
    "deal_invoice": N_("deal invoice"),
    "deal_payments": N_("deal payments"),
    "deal_documents": N_("deal documents"),
    "documents": N_("documents of all deals"),
}
STATUS_LABELS = {
    ExchangeStatus.RUNNING: N_("running"),
    ExchangeStatus.OK: N_("done"),
    ExchangeStatus.FAILED: N_("run failed"),
}


def kind_label(kind: str) -> str:
    """A run kind as the user reads it (an unknown kind as it is stored)."""
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def status_label(status: ExchangeStatus) -> str:
    return _(STATUS_LABELS[status])


@dataclass(frozen=True)
class RunEntry:
    id: int
    started_at: datetime
    finished_at: datetime | None
    user: str  # who ran it ("" for the system)
    kind: str  # exchange_runs.run_kind: sync_counterparties, bank_import…
    base: str  # the 1C base's name ("" for none)
    status: ExchangeStatus
    created: int
    updated: int
    skipped: int
    errors: int
    summary: str
    error_text: str

    @property
    def failed(self) -> bool:
        return self.status == ExchangeStatus.FAILED


@dataclass(frozen=True)
class LogEntry:
    logged_at: datetime
    level: LogLevel
    message: str
    object_kind: str | None
    object_id: int | None
    ref_key: str | None


def _require(ctx: Context) -> None:
    if not (ctx.has(R.ONEC_EXCHANGE) or ctx.has(R.ADMIN)):
        raise AccessDenied(R.ONEC_EXCHANGE)


def _runs() -> Select:
    return (
        select(
            ExchangeRun.id,
            ExchangeRun.started_at,
            ExchangeRun.finished_at,
            AppUser.full_name,
            ExchangeRun.run_kind,
            OnecBase.name,
            ExchangeRun.status,
            ExchangeRun.n_created,
            ExchangeRun.n_updated,
            ExchangeRun.n_skipped,
            ExchangeRun.n_errors,
            ExchangeRun.summary,
            ExchangeRun.error_text,
        )
        .outerjoin(AppUser, AppUser.id == ExchangeRun.user_id)
        .outerjoin(OnecBase, OnecBase.id == ExchangeRun.base_id)
    )


def _entry(row: tuple) -> RunEntry:
    (id_, started, finished, user, kind, base, status, *counts, summary, error) = row
    return RunEntry(
        id_, started, finished, user or "", kind, base or "", status, *counts, summary or "",
        error or "",
    )  # fmt: skip


def list_runs(
    ctx: Context,
    *,
    base: str | None = None,
    kind: str | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> list[RunEntry]:
    """The runs, newest first; ``base`` (a 1C base's name) and ``kind`` (a run kind)
    narrow them; ``limit``/``offset`` page them."""
    _require(ctx)
    query = _runs()
    if base:
        query = query.where(OnecBase.name == base)
    if kind:
        query = query.where(ExchangeRun.run_kind == kind)
    query = query.order_by(ExchangeRun.started_at.desc(), ExchangeRun.id.desc())
    query = query.limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset))
    with ctx.db.reader() as s:
        return [_entry(tuple(row)) for row in s.execute(query)]


def run_log(ctx: Context, run_id: int) -> tuple[RunEntry, list[LogEntry]]:
    """One run and its log lines, in the order they were written."""
    _require(ctx)
    with ctx.db.reader() as s:
        row = s.execute(_runs().where(ExchangeRun.id == run_id)).one_or_none()
        if row is None:
            raise NotFound(_("Exchange run"), run_id)
        return _entry(tuple(row)), _lines(s, run_id)


def _lines(s: Session, run_id: int) -> list[LogEntry]:
    rows = s.execute(
        select(
            ExchangeLog.logged_at,
            ExchangeLog.level,
            ExchangeLog.message,
            ExchangeLog.object_kind,
            ExchangeLog.object_id,
            ExchangeLog.ref_key,
        )
        .where(ExchangeLog.run_id == run_id)
        .order_by(ExchangeLog.id)
    )
    return [LogEntry(*row) for row in rows]
