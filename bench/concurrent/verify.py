"""After the run: was anything lost or half-written?

- every acknowledged interaction and payment is in the database as it was written;
- every company and deal the managers worked on has exactly the versions they were
  acknowledged (a version acknowledged twice is a lost update; a version nobody was
  acknowledged is a silent write), and holds the value of its last acknowledged edit;
- nothing refused left a trace, nothing was saved unacknowledged (this run's texts in
  new events, payments and the audit log are exactly the acknowledged ones);
- every call that failed failed as a conflict (no other error);
- every deal's debt (the debt service) equals max(invoiced, shipped) − paid recomputed
  by plain SQL over ``deal_documents`` and ``payments``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bench.concurrent.workload import Run, Write
from qstui.db.compat import chunks
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Company, Deal, Event, Payment
from qstui.domain.deals import debt_amount, kopecks
from qstui.domain.enums import AuditAction, EventStatus, PaymentKind
from qstui.services.deals.debt import deal_debts


@dataclass
class Check:
    name: str
    checked: int = 0
    failures: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Verification:
    checks: list[Check]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def verify(run: Run) -> Verification:
    started = time.monotonic()
    db = Database(run.plan.url)
    try:
        with db.reader() as s:
            checks = [
                _interactions(s, run),
                _payments(s, run),
                _versions(s, run, "company", Company, "edit_company"),
                _versions(s, run, "deal", Deal, "move_stage"),
                _no_trace(s, run),
                _other_errors(run),
                _debts(s),
            ]
    finally:
        db.dispose()
    return Verification(checks, time.monotonic() - started)


def _acked(run: Run, op: str) -> list[Write]:
    return [w for w in run.tally.acknowledged if w.op == op]


def _rows(s: Session, columns: Iterable[Any], ids: Iterable[int]) -> dict[int, Any]:
    """Rows by id (the first column) for ``ids``, in IN lists Firebird accepts."""
    columns = list(columns)
    found = {}
    for chunk in chunks(sorted(set(ids))):
        for row in s.execute(select(*columns).where(columns[0].in_(chunk))):
            found[row[0]] = row
    return found


def _money(value: Any) -> Decimal:
    """An amount as read (SQLite gives floats) in kopecks."""
    return kopecks(Decimal(str(value)))


def _interactions(s: Session, run: Run) -> Check:
    check = Check("acknowledged interactions are saved")
    writes = _acked(run, "log_interaction")
    rows = _rows(
        s, (Event.id, Event.subject, Event.company_id, Event.status), [w.record for w in writes]
    )
    for w in writes:
        row = rows.get(w.record)
        check.checked += 1
        if row is None:
            check.failures.append(f"event {w.record} «{w.token}» is missing")
        elif (row.subject, row.company_id, row.status) != (w.token, w.parent, EventStatus.DONE):
            check.failures.append(
                f"event {w.record}: {row.subject!r} company {row.company_id} {row.status}, "
                f"acknowledged {w.token!r} company {w.parent} done"
            )
    return check


def _payments(s: Session, run: Run) -> Check:
    check = Check("acknowledged payments are saved")
    writes = _acked(run, "add_payment")
    rows = _rows(
        s,
        (Payment.id, Payment.deal_id, Payment.amount, Payment.pay_kind, Payment.purpose),
        [w.record for w in writes],
    )
    for w in writes:
        row = rows.get(w.record)
        check.checked += 1
        if row is None:
            check.failures.append(f"payment {w.record} «{w.token}» of {w.value} is missing")
            continue
        held = (row.deal_id, _money(row.amount), row.pay_kind, row.purpose)
        if held != (w.parent, w.value, PaymentKind.ACTUAL, w.token):
            check.failures.append(
                f"payment {w.record}: deal {row.deal_id} {_money(row.amount)} {row.pay_kind} "
                f"«{row.purpose}», acknowledged deal {w.parent} {w.value} actual «{w.token}»"
            )
    return check


def _versions(s: Session, run: Run, kind: str, model: Any, op: str) -> Check:
    """Each record worked on went from its version before the run through exactly the
    acknowledged versions, and holds what the highest one wrote."""
    check = Check(f"every {kind} holds its acknowledged versions and last value")
    before = {ident: v for (k, ident), v in run.plan.versions.items() if k == kind}
    acks: dict[int, list[Write]] = defaultdict(list)
    for w in _acked(run, op):
        acks[w.record].append(w)
    value = Company.notes if kind == "company" else Deal.stage_id
    rows = _rows(s, (model.id, model.version, value), before)
    for ident, version in sorted(before.items()):
        check.checked += 1
        mine = sorted(acks.get(ident, []), key=lambda w: w.version)
        got = [w.version for w in mine]
        expected = list(range(version + 1, version + 1 + len(mine)))
        row = rows[ident]
        if got != expected:
            check.failures.append(
                f"{kind} {ident}: versions {got} acknowledged after {version} "
                f"(expected {expected}: a repeated one is a lost update)"
            )
        if row.version != version + len(mine):
            check.failures.append(
                f"{kind} {ident}: version {row.version} in the database, "
                f"{version} + {len(mine)} acknowledged writes"
            )
        if mine:
            last = mine[-1].token if kind == "company" else mine[-1].value
            if row[2] != last:
                check.failures.append(
                    f"{kind} {ident}: holds {row[2]!r}, last acknowledged {last!r}"
                )
    return check


def _no_trace(s: Session, run: Run) -> Check:
    """This run's texts among new rows are exactly the acknowledged ones."""
    check = Check("refused writes left no trace, nothing saved unacknowledged")
    tag, start = run.plan.tag, run.plan.start_ids
    saved = {
        "log_interaction": s.scalars(select(Event.subject).where(Event.id > start["events"])).all(),
        "add_payment": s.scalars(
            select(Payment.purpose).where(Payment.id > start["payments"])
        ).all(),
        "edit_company": [
            (changes or {}).get("notes", [None, None])[1]
            for changes in s.scalars(
                select(AuditEntry.changes).where(
                    AuditEntry.id > start["audit"],
                    AuditEntry.object_kind == "company",
                    AuditEntry.action == AuditAction.UPDATE,
                )
            )
        ],
    }
    refused = {w.token for w in run.tally.refused}
    for op, texts in saved.items():
        mine = sorted(t for t in texts if isinstance(t, str) and t.startswith(tag))
        acked = {w.token for w in _acked(run, op)}
        check.checked += len(mine) + len([w for w in run.tally.refused if w.op == op])
        for token in mine:
            if token in refused:
                check.failures.append(f"{op} «{token}» was refused as a conflict but is saved")
            elif token not in acked:
                check.failures.append(f"{op} «{token}» is saved but was never acknowledged")
        if len(mine) != len(set(mine)):
            check.failures.append(f"{op}: some acknowledged writes are saved twice")
    return check


def _other_errors(run: Run) -> Check:
    check = Check("every failed call failed as a conflict")
    check.checked = sum(len(ms) for ms in run.tally.ms.values())
    check.failures = list(run.tally.errors)
    return check


DOCUMENT_SUMS = text(
    "SELECT deal_id, doc_kind, currency_code, SUM(amount) FROM deal_documents "
    "WHERE deal_id IS NOT NULL AND doc_kind IN ('invoice', 'shipment') "
    "AND state <> 'deleted' GROUP BY deal_id, doc_kind, currency_code"
)
PAYMENT_SUMS = text(
    "SELECT deal_id, currency_code, SUM(amount) FROM payments "
    "WHERE deal_id IS NOT NULL AND pay_kind = 'actual' GROUP BY deal_id, currency_code"
)


def _debts(s: Session) -> Check:
    """The debt service against max(invoiced, shipped) − paid summed by plain SQL (deals
    with a document or payment in another currency than the deal's are skipped: that
    needs the rate of each day)."""
    check = Check("every deal's debt = its documents − its payments")
    currency = dict(s.execute(text("SELECT id, currency_code FROM deals")).all())
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    foreign: set[int] = set()
    for deal_id, kind, code, amount in s.execute(DOCUMENT_SUMS):
        sums[deal_id][kind] = _money(amount)
        if code != currency[deal_id]:
            foreign.add(deal_id)
    for deal_id, code, amount in s.execute(PAYMENT_SUMS):
        sums[deal_id]["paid"] = _money(amount)
        if code != currency[deal_id]:
            foreign.add(deal_id)
    service = deal_debts(s, list(currency))
    zero = Decimal("0.00")
    for deal_id in sorted(set(currency) - foreign):
        check.checked += 1
        got = sums.get(deal_id, {})
        paid = got.get("paid", zero)
        expected = debt_amount(got.get("invoice", zero), got.get("shipment", zero), paid)
        info = service[deal_id]
        if (info.debt, info.paid) != (expected, paid):
            check.failures.append(
                f"deal {deal_id}: debt {info.debt} (paid {info.paid}) by the service, "
                f"{expected} (paid {paid}) by SQL"
            )
    if foreign:
        check.note = f"{len(foreign)} deals with amounts in another currency not recomputed"
    return check
