"""The reference sync (E2) as a run: compare, then apply what the user chose, logged.

``compare_references`` reads 1C and our rows and returns the comparison; it writes
nothing anywhere. ``apply_references`` computes the comparison afresh, decides an action
per row (the user's choice for that row, else the policy's default: link proposed
pairs, carry a one-sided change to the other side, create only with ``create_here`` /
``create_there``, settle a conflict only with ``prefer``) and does it in this order:

1. every write in 1C (create there, keep ours) — these cannot be rolled back;
2. every write in qstui (create here, take theirs, the links with both sides'
   versions, the log and the run's counts) in one transaction.

A failure in step 1 or 2, or the user's cancel (``cancelled``, looked at before each
write in 1C and every ``CHECK_EVERY`` rows of step 2), leaves qstui's database as it
was (the transaction of step 2 is rolled back whole) and records the run as failed in
the journal (``journal.record_failure``) with what failed or stopped, and where. What step 1
already made in 1C is found again by the next run — a counterparty by its INN and KPP,
a product by its article, the very keys it was created with — and proposed, so a retry
links it instead of creating it twice; an update made in 1C is the same values on both
sides the next time, so a retry only stores the new versions. A second run after a
complete one finds everything linked and changes nothing.

Rights: ``onec.exchange`` to compare or apply; creating or changing our rows also needs
the kind's ``write_rights`` (companies: ``clients`` + ``edit``; products:
``refbooks.edit``). Companies the user does not see are left out (see
``sync_counterparties``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import bindparam, select, update

from qstui.db.bulk import insert_rows
from qstui.db.models import OnecBase, OnecLink
from qstui.domain.clock import utcnow
from qstui.domain.enums import LogLevel
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.domain.onec import (
    COUNTERPARTIES,
    HERE,
    NOMENCLATURE,
    OnecBaseInfo,
    SyncAction,
    SyncApplied,
    SyncCategory,
    SyncComparison,
    SyncPolicy,
    SyncResult,
    SyncRow,
)
from qstui.i18n import _
from qstui.onec.errors import OnecError
from qstui.onec.odata import DEFAULT_PAGE, ODataClient
from qstui.onec.secrets import Secrets
from qstui.services.context import Context
from qstui.services.onec.bases import connect, exchange_base
from qstui.services.onec.journal import LogLine, RunCounts, record_failure, record_run
from qstui.services.onec.sync_counterparties import Counterparties
from qstui.services.onec.sync_kind import SkipRow, SyncKind
from qstui.services.onec.sync_match import Link, Pair, compare
from qstui.services.onec.sync_nomenclature import Nomenclature
from qstui.services.persist import writing

KINDS: dict[str, type[SyncKind]] = {COUNTERPARTIES: Counterparties, NOMENCLATURE: Nomenclature}
ClientFactory = Callable[[OnecBaseInfo, Secrets], ODataClient]
Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]
CHECK_EVERY = 200  # rows saved between two looks at ``cancelled``

_A, _C = SyncAction, SyncCategory
ALLOWED: dict[SyncCategory, frozenset[SyncAction]] = {
    _C.LINKED: frozenset({_A.SKIP}),
    _C.PROPOSED: frozenset({_A.LINK, _A.TAKE_THEIRS, _A.KEEP_OURS, _A.SKIP}),
    _C.ONLY_HERE: frozenset({_A.CREATE_THERE, _A.SKIP}),
    _C.ONLY_THERE: frozenset({_A.CREATE_HERE, _A.SKIP}),
    _C.CHANGED: frozenset({_A.TAKE_THEIRS, _A.KEEP_OURS, _A.SKIP}),
    _C.CONFLICT: frozenset({_A.TAKE_THEIRS, _A.KEEP_OURS, _A.SKIP}),
}
PREFER = {"ours": _A.KEEP_OURS, "theirs": _A.TAKE_THEIRS}


class SyncFailed(OnecError):
    """A run stopped: what failed, where, and what it means for the next run."""


class SyncCancelled(SyncFailed):
    """The user cancelled a run before its commit: qstui is as it was."""


class _Stop(Exception):
    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage


def _quiet(done: int, total: int, what: str) -> None:
    """No progress shown."""


def _never() -> bool:
    return False


def _kind(name: str, config_kind: str) -> SyncKind:
    cls = KINDS.get(name)
    if cls is None:
        raise ValidationFailed(
            {"kind": _("Choose one of: {values}").format(values=", ".join(KINDS))}
        )
    return cls(config_kind)


def _pairs(
    ctx: Context, info: OnecBaseInfo, kind: SyncKind, client: ODataClient, page_size: int
) -> list[Pair]:
    theirs = kind.theirs(client, page_size)
    with ctx.db.reader() as s:
        ours = kind.ours(s, ctx)
        visible = kind.visible(s, ctx)
        links = [
            Link(r.object_id, r.ref_key, r.object_version, r.data_version)
            for r in s.execute(
                select(
                    OnecLink.object_id,
                    OnecLink.ref_key,
                    OnecLink.object_version,
                    OnecLink.data_version,
                )
                .where(OnecLink.base_id == info.id, OnecLink.object_kind == kind.object_kind)
                .order_by(OnecLink.object_id)
            )
        ]
    pairs = compare(kind.spec, ours, theirs, links)
    if visible is not None:
        pairs = [p for p in pairs if p.ours is None or p.ours.key in visible]
    return pairs


def _comparison(kind: SyncKind, info: OnecBaseInfo, pairs: list[Pair]) -> SyncComparison:
    return SyncComparison(kind.name, info.name, tuple(p.row for p in pairs))


def compare_references(
    ctx: Context,
    base: str,
    kind_name: str,
    secrets: Secrets,
    *,
    client_factory: ClientFactory = connect,
    page_size: int = DEFAULT_PAGE,
) -> SyncResult:
    """The comparison of ``kind_name`` ("counterparties" / "nomenclature") with 1C base
    ``base``; nothing is written."""
    info = exchange_base(ctx, base, secrets)
    kind = _kind(kind_name, info.config_kind)
    with client_factory(info, secrets) as client:
        pairs = _pairs(ctx, info, kind, client, page_size)
    return SyncResult(_comparison(kind, info, pairs))


def decide(
    row: SyncRow, policy: SyncPolicy, choices: Mapping[str, SyncAction] | None = None
) -> SyncAction:
    """The action for ``row``: the user's choice (checked), else the policy's default."""
    chosen = (choices or {}).get(row.key)
    if chosen is not None:
        if chosen not in ALLOWED[row.category]:
            raise ValidationFailed(
                {row.key: _("“{action}” does not apply to this row").format(action=chosen)}
            )
        return chosen
    prefer = PREFER.get(policy.prefer or "")
    if row.category == _C.PROPOSED:
        return prefer if prefer is not None and row.differences else _A.LINK
    if row.category == _C.ONLY_HERE:
        return _A.CREATE_THERE if policy.create_there else _A.SKIP
    if row.category == _C.ONLY_THERE:
        return _A.CREATE_HERE if policy.create_here else _A.SKIP
    if row.category == _C.CHANGED:
        return _A.KEEP_OURS if row.changed_side == HERE else _A.TAKE_THEIRS
    if row.category == _C.CONFLICT:
        return prefer or _A.SKIP
    return _A.SKIP


@dataclass
class _Done:
    """What a run did, and the rows it writes at the end."""

    linked: int = 0
    created_here: int = 0
    created_there: int = 0
    updated: int = 0
    skipped: int = 0
    written_there: int = 0  # objects written in 1C (cannot be undone)

    def applied(self) -> SyncApplied:
        return SyncApplied(
            self.linked, self.created_here, self.created_there, self.updated, self.skipped
        )


def apply_references(
    ctx: Context,
    base: str,
    kind_name: str,
    secrets: Secrets,
    *,
    policy: SyncPolicy = SyncPolicy(),
    choices: Mapping[str, SyncAction] | None = None,
    client_factory: ClientFactory = connect,
    page_size: int = DEFAULT_PAGE,
    progress: Progress = _quiet,
    cancelled: Cancelled = _never,
) -> SyncResult:
    """Compare, then do what ``choices`` and ``policy`` say (module docstring). Raises
    ``SyncFailed`` when 1C or the database fails midway, ``SyncCancelled`` when
    ``cancelled()`` turns true before the commit; either way the run is in the journal
    as failed, with the message raised."""
    info = exchange_base(ctx, base, secrets)
    kind = _kind(kind_name, info.config_kind)
    run_kind = f"sync_{kind.name}"
    started = utcnow()
    done = _Done()
    stage = _("reading 1C")

    def check(stage: str) -> None:
        if cancelled():
            raise _Stop(stage)

    try:
        progress(0, 0, stage)
        with client_factory(info, secrets) as client:
            pairs = _pairs(ctx, info, kind, client, page_size)
            plan = [(pair, decide(pair.row, policy, choices)) for pair in pairs]
            if any(a in (_A.CREATE_HERE, _A.TAKE_THEIRS) for _p, a in plan):
                ctx.require(*kind.write_rights)
            there: dict[str, tuple[str, str]] = {}
            todo = [
                (p, a)
                for p, a in plan
                if a == _A.CREATE_THERE or (a == _A.KEEP_OURS and p.row.differences)
            ]
            for number, (pair, action) in enumerate(todo, 1):
                assert pair.ours is not None
                check(stage)
                if action == _A.CREATE_THERE:
                    stage = _("creating «{name}» in 1C").format(name=pair.row.name)
                    there[pair.row.key] = kind.create_there(client, pair.ours.values)
                else:
                    assert pair.theirs is not None
                    stage = _("updating «{name}» in 1C").format(name=pair.row.their_name)
                    ref = str(pair.theirs.key)
                    version = kind.update_there(
                        client, ref, str(pair.theirs.version), pair.ours.values
                    )
                    there[pair.row.key] = (ref, version)
                done.written_there += 1
                progress(number, len(todo), stage)
        check(stage)
        stage = _("saving in qstui")

        def tick(saved: int) -> None:
            progress(saved, len(plan), stage)
            check(stage)

        run_id = _save(ctx, info, kind, started, plan, there, done, tick)
    except (AccessDenied, ValidationFailed) as exc:
        record_failure(ctx, run_kind, exc, started_at=started, base_id=info.id)
        raise
    except _Stop as stop:
        text = _(
            "The sync of {kind} with 1C base {base} was cancelled while {stage}. Nothing "
            "was changed in qstui."
        ).format(kind=_(kind.name), base=info.name, stage=stop.stage)
        cancel = SyncCancelled(text + _written_there(done.written_there))
        record_failure(ctx, run_kind, cancel, started_at=started, base_id=info.id)
        raise cancel from None
    except Exception as exc:
        failed = SyncFailed(_failure_text(kind, info, stage, exc, done.written_there))
        record_failure(ctx, run_kind, failed, started_at=started, base_id=info.id)
        raise failed from exc
    return SyncResult(_comparison(kind, info, pairs), done.applied(), run_id)


def _failure_text(
    kind: SyncKind, info: OnecBaseInfo, stage: str, exc: Exception, written_there: int
) -> str:
    reason = str(exc) if isinstance(exc, OnecError) else f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.HTTPError):  # never expected: the client wraps them
        reason = type(exc).__name__
    text = _(
        "The sync of {kind} with 1C base {base} failed while {stage}: {reason}. Nothing "
        "was changed in qstui."
    ).format(kind=_(kind.name), base=info.name, stage=stage, reason=reason.rstrip("."))
    return text + _written_there(written_there)


def _written_there(count: int) -> str:
    if not count:
        return ""
    return " " + _(
        "{count} objects had been written in 1C before: the next run finds them (by "
        "INN and KPP, or by article) and links them instead of creating them again."
    ).format(count=count)


def _log(level: LogLevel, kind: SyncKind, object_id: Any, ref: Any, text: str) -> LogLine:
    return LogLine(level, text, kind.object_kind, object_id, ref)


def _save(
    ctx: Context,
    info: OnecBaseInfo,
    kind: SyncKind,
    started: datetime,
    plan: list[tuple[Pair, SyncAction]],
    there: Mapping[str, tuple[str, str]],
    done: _Done,
    tick: Callable[[int], None],
) -> int:
    """Step 2: every write in qstui, the links and the run's record, in one transaction;
    ``tick(rows done)`` is called every ``CHECK_EVERY`` rows and before the commit, and
    raises to stop (the transaction is rolled back whole). The run's id."""
    now = utcnow()
    logs: list[LogLine] = []
    new_links: list[dict[str, Any]] = []
    moved_links: list[dict[str, Any]] = []
    written: list[int] = []
    with writing(ctx) as s:
        # first a write of the base's row: on SQLite this takes the write lock, so the
        # ids a kind reserves (``prepare``) stay free until the commit
        s.execute(update(OnecBase).where(OnecBase.id == info.id).values(last_sync_at=now))
        kind.prepare(s, ctx, sum(1 for _p, a in plan if a == _A.CREATE_HERE))
        for number, (pair, action) in enumerate(plan):
            if number % CHECK_EVERY == 0:
                tick(number)
            row = pair.row
            object_id = row.object_id
            ours_version = pair.ours.version if pair.ours is not None else None
            ref, their_version = (
                (str(pair.theirs.key), str(pair.theirs.version)) if pair.theirs else (None, None)
            )
            if row.key in there:
                ref, their_version = there[row.key]
            if action == _A.SKIP:
                link = pair.link
                if link is not None and row.category == _C.LINKED:
                    if (link.object_version, link.data_version) != (ours_version, their_version):
                        moved_links.append(
                            {"oid": object_id, "ov": ours_version, "dv": their_version}
                        )
                elif row.category != _C.LINKED:
                    done.skipped += 1
                    if row.category == _C.CONFLICT:
                        logs.append(
                            _log(
                                LogLevel.WARNING,
                                kind,
                                object_id,
                                ref,
                                _("Conflict left: «{name}» changed in qstui and in 1C").format(
                                    name=row.name
                                ),
                            )
                        )
                continue
            try:
                if action == _A.CREATE_HERE:
                    assert pair.theirs is not None
                    object_id, ours_version = kind.create_here(s, ctx, pair.theirs.values)
                    done.created_here += 1
                    written.append(object_id)
                    text = _("Created in qstui from 1C: «{name}»").format(name=row.their_name)
                elif action == _A.CREATE_THERE:
                    done.created_there += 1
                    text = _("Created in 1C: «{name}»").format(name=row.name)
                elif action == _A.TAKE_THEIRS and row.differences:
                    assert pair.theirs is not None and object_id is not None
                    ours_version = kind.update_here(
                        s,
                        ctx,
                        object_id,
                        int(pair.ours.version),
                        pair.theirs.values,  # type: ignore[union-attr]
                    )
                    done.updated += 1
                    written.append(object_id)
                    text = _("Updated in qstui from 1C: «{name}»").format(name=row.their_name)
                elif action == _A.KEEP_OURS and row.differences:
                    done.updated += 1
                    text = _("Updated in 1C from qstui: «{name}»").format(name=row.name)
                else:
                    text = _("Linked: «{name}»").format(name=row.name)
            except SkipRow as exc:
                done.skipped += 1
                logs.append(
                    _log(
                        LogLevel.WARNING,
                        kind,
                        object_id,
                        ref,
                        _("Skipped «{name}»: {reason}").format(
                            name=row.name or row.their_name, reason=exc
                        ),
                    )
                )
                continue
            if pair.link is None:
                if row.category == _C.PROPOSED:
                    done.linked += 1
                new_links.append(
                    {
                        "base_id": info.id,
                        "object_kind": kind.object_kind,
                        "object_id": object_id,
                        "ref_key": ref,
                        "data_version": their_version,
                        "object_version": ours_version,
                        "synced_at": now,
                        "updated_by": ctx.user_id,
                    }
                )
            else:
                moved_links.append({"oid": object_id, "ov": ours_version, "dv": their_version})
            logs.append(_log(LogLevel.INFO, kind, object_id, ref, text))
        if written:
            kind.after_writes(s, written)
        links = OnecLink.__table__
        insert_rows(s.connection(), links, new_links)  # one EXECUTE BLOCK per 250 on Firebird
        if moved_links:
            s.execute(
                update(links)
                .where(
                    links.c.base_id == info.id,
                    links.c.object_kind == kind.object_kind,
                    links.c.object_id == bindparam("oid"),
                )
                .values(
                    object_version=bindparam("ov"),
                    data_version=bindparam("dv"),
                    synced_at=now,
                    updated_at=now,
                    version=links.c.version + 1,
                ),
                moved_links,
            )
        tick(len(plan))
        # warnings first: the journal keeps the first ``MAX_LINES`` lines of a run
        logs.sort(key=lambda line: line.level == LogLevel.INFO)
        return record_run(
            s,
            ctx,
            f"sync_{kind.name}",
            started_at=started,
            counts=RunCounts(
                created=done.created_here + done.created_there,
                updated=done.updated + done.linked,
                skipped=done.skipped,
            ),
            summary=done.applied().summary(),
            lines=logs,
            base_id=info.id,
        )
