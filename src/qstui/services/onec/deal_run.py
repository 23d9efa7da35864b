"""A deal in 1C (E3–E6, E8) as runs: «выставить счет» (``INVOICE``), «проверить оплату»
(``PAYMENTS``), «получить документы» (``DOCUMENTS``) for one deal, and the documents
and payments of every linked deal (``sync_documents``).

Each run reads the deal, then talks to 1C (the contract found or created, the invoice
created and posted, the documents and payments read), then writes everything in qstui
in one transaction with its journal record (``journal.record_run``). A failure at any
point leaves qstui's database as it was, is recorded as a failed run
(``journal.record_failure``) and raised with 1C's or our message. What was already made
in 1C is found again by the next run (the contract by its client, kind, currency and
number; the invoice by its mark), so a retry completes instead of duplicating; a second
run after a complete one changes nothing in qstui.

Rights: ``onec.exchange`` and ``deals``; the deal and its client must be visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from qstui.db.models import Deal, OnecBase, OnecLink
from qstui.domain.clock import today, utcnow
from qstui.domain.enums import DocKind, LogLevel
from qstui.domain.errors import ValidationFailed
from qstui.domain.onec import OnecBaseInfo
from qstui.domain.onec_deal import (
    ACTIONS,
    INVOICE,
    PAYMENTS,
    RUN_KINDS,
    SYNC_DOCUMENTS,
    DealRunResult,
)
from qstui.i18n import _
from qstui.onec import mapping as M
from qstui.onec import values as V
from qstui.onec.errors import OnecError
from qstui.onec.odata import ODataClient
from qstui.onec.secrets import Secrets
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.onec.bases import connect, exchange_base
from qstui.services.onec.deal_onec import DealInOnec
from qstui.services.onec.deal_plan import (
    COMPANY,
    CONTRACT,
    Plan,
    TheirDocument,
    TheirPayment,
    Writer,
    read_plan,
)
from qstui.services.onec.journal import LogLine, RunCounts, record_failure, record_run
from qstui.services.persist import writing
from qstui.services.refbooks.currency import rate_on
from qstui.services.visibility import deal_visible

ClientFactory = Callable[[OnecBaseInfo, Secrets], ODataClient]


class NotLinked(OnecError):
    """The client or products of a deal have no link to the base yet."""

    def __init__(self, client: str | None, products: list[str]) -> None:
        parts = []
        if client is not None:
            parts.append(
                _("the client «{name}» (run «1C: sync counterparties»)").format(name=client)
            )
        if products:
            parts.append(
                _("products {names} (run «1C: sync nomenclature»)").format(
                    names=", ".join(f"«{name}»" for name in products)
                )
            )
        super().__init__(_("Not linked to 1C yet: {what}").format(what="; ".join(parts)))
        self.client = client
        self.products = products


@dataclass
class _Fetched:
    """What a run brought from 1C for one deal."""

    contract: tuple[str, str, date | None, bool] | None = None
    invoice: tuple[str, str] | None = None
    documents: list[TheirDocument] = field(default_factory=list)
    payments: list[TheirPayment] = field(default_factory=list)


def run_deal(
    ctx: Context,
    deal_id: int,
    base: str,
    action: str,
    secrets: Secrets,
    *,
    client_factory: ClientFactory = connect,
) -> DealRunResult:
    """Run ``action`` (``INVOICE`` / ``PAYMENTS`` / ``DOCUMENTS``) for a deal."""
    ctx.require(R.ONEC_EXCHANGE, R.DEALS)
    if action not in ACTIONS:
        raise ValidationFailed(
            {"action": _("Choose one of: {values}").format(values=", ".join(ACTIONS))}
        )
    info = exchange_base(ctx, base, secrets)
    kind = RUN_KINDS[action]
    started = utcnow()
    try:
        day = today()
        with ctx.db.reader() as s:
            plan = read_plan(s, ctx, info.id, deal_id)
            rate = rate_on(s, plan.currency_code, day) if action == INVOICE else None
        _check_links(plan, with_products=action == INVOICE)
        with client_factory(info, secrets) as client:
            onec = DealInOnec(client, info.config_kind, info.id)
            fetched = _Fetched()
            fetched.contract = onec.contract(plan, create=action == INVOICE)
            plan.contract_ref = fetched.contract[0]
            if action == INVOICE:
                assert rate is not None
                fetched.invoice = onec.issue_invoice(plan, day, rate)
                fetched.documents = _invoices(onec, plan, None)
            elif action == PAYMENTS:
                fetched.payments = _payments(onec, plan, None)
            else:
                fetched.documents = _documents(onec, plan, None)
        with writing(ctx) as s:
            writer = Writer(s, ctx, info.id)
            _store(writer, plan, fetched)
            writer.finish()
            result = _result(info.name, action, writer, fetched)
            record_run(
                s,
                ctx,
                kind,
                started_at=started,
                counts=RunCounts(
                    writer.counts.created, writer.counts.updated, writer.counts.skipped
                ),
                summary=_("Deal №{id}: {summary}").format(id=deal_id, summary=result.summary()),
                lines=writer.lines,
                base_id=info.id,
            )
            return result
    except Exception as exc:
        record_failure(
            ctx,
            kind,
            exc,
            started_at=started,
            summary=_("Deal №{id}").format(id=deal_id),
            base_id=info.id,
        )
        raise


def sync_documents(
    ctx: Context,
    base: str,
    secrets: Secrets,
    *,
    since: date | None = None,
    client_factory: ClientFactory = connect,
) -> DealRunResult:
    """The documents and payments (dated ``since`` or later) of every visible deal linked
    to a contract of ``base``, in one run."""
    ctx.require(R.ONEC_EXCHANGE, R.DEALS)
    info = exchange_base(ctx, base, secrets)
    started = utcnow()
    try:
        with ctx.db.reader() as s:
            deal_ids = list(
                s.scalars(
                    select(Deal.id)
                    .join(
                        OnecLink,
                        (OnecLink.object_id == Deal.contract_id)
                        & (OnecLink.object_kind == CONTRACT)
                        & (OnecLink.base_id == info.id),
                    )
                    .where(deal_visible(ctx))
                    .order_by(Deal.id)
                )
            )
            plans = [read_plan(s, ctx, info.id, deal_id) for deal_id in deal_ids]
        work: list[tuple[Plan, _Fetched]] = []
        with client_factory(info, secrets) as client:
            onec = DealInOnec(client, info.config_kind, info.id)
            for plan in plans:
                if plan.counterparty_ref is None or plan.contract_ref is None:
                    continue
                fetched = _Fetched()
                fetched.documents = _documents(onec, plan, since)
                fetched.payments = _payments(onec, plan, since)
                work.append((plan, fetched))
        with writing(ctx) as s:
            writer = Writer(s, ctx, info.id)
            for plan, fetched in work:
                _store(writer, plan, fetched)
            writer.finish()
            result = _result(info.name, SYNC_DOCUMENTS, writer, _Fetched(), deals=len(work))
            record_run(
                s,
                ctx,
                SYNC_DOCUMENTS,
                started_at=started,
                counts=RunCounts(
                    writer.counts.created, writer.counts.updated, writer.counts.skipped
                ),
                summary=result.summary(),
                lines=writer.lines,
                base_id=info.id,
            )
            return result
    except Exception as exc:
        record_failure(ctx, SYNC_DOCUMENTS, exc, started_at=started, base_id=info.id)
        raise


# --- helpers ------------------------------------------------------------------------------


def _check_links(plan: Plan, with_products: bool) -> None:
    client = plan.company_name if plan.counterparty_ref is None else None
    products = []
    if with_products:
        if not plan.lines:
            raise ValidationFailed({"items": _("The deal has no products to invoice")})
        products = sorted({line.name for line in plan.lines if line.ref is None})
    if client is not None or products:
        raise NotLinked(client, products)


def _invoices(onec: DealInOnec, plan: Plan, since: date | None) -> list[TheirDocument]:
    assert plan.contract_ref is not None
    text = f"{onec.f(M.INVOICE, 'contract')} eq {V.guid_literal(plan.contract_ref)}"
    if since is not None:
        text += f" and Date ge {V.datetime_literal(since)}"
    return [onec.their_document(M.INVOICE, row) for row in onec.all(M.INVOICE, text)]


def _documents(onec: DealInOnec, plan: Plan, since: date | None) -> list[TheirDocument]:
    """The deal's invoices, shipments (on its contract or its invoices) and
    invoice-factures (on its contract or its shipments)."""
    invoices = _invoices(onec, plan, since)
    invoice_refs = plan.refs_of(DocKind.INVOICE) | {d.ref for d in invoices}
    fields = onec.objects[M.SHIPMENT].fields
    shipments = [
        onec.their_document(M.SHIPMENT, row)
        for row in onec.by_counterparty(M.SHIPMENT, plan, since)
        if V.guid(row.get(fields.get("contract", ""))) == plan.contract_ref
        or V.guid(row.get(fields.get("invoice", ""))) in invoice_refs
    ]
    shipment_refs = plan.refs_of(DocKind.SHIPMENT) | {d.ref for d in shipments}
    facture = onec.objects[M.INVOICE_FACTURE]
    basis = facture.tables[0]
    factures = []
    for row in onec.by_counterparty(M.INVOICE_FACTURE, plan, since):
        bases = {V.guid(line.get(basis.fields["basis"])) for line in row.get(basis.name) or []}
        on_contract = V.guid(row.get(facture.fields.get("contract", ""))) == plan.contract_ref
        if on_contract or bases & shipment_refs:
            factures.append(onec.their_document(M.INVOICE_FACTURE, row))
    return invoices + shipments + factures


def _payments(onec: DealInOnec, plan: Plan, since: date | None) -> list[TheirPayment]:
    assert plan.contract_ref is not None
    invoices = plan.refs_of(DocKind.INVOICE)
    return [
        payment
        for row in onec.by_counterparty(M.PAYMENT, plan, since)
        for payment in onec.their_payments(row, plan.contract_ref, invoices)
    ]


def _store(writer: Writer, plan: Plan, fetched: _Fetched) -> None:
    if fetched.contract is not None:
        ref, number, day, created = fetched.contract
        writer.contract(plan, ref, number, day)
        if created:
            writer.lines.append(
                LogLine(
                    LogLevel.INFO,
                    _("Deal №{id}: contract № {number} created in 1C").format(
                        id=plan.deal_id, number=number
                    ),
                    "deal",
                    plan.deal_id,
                    ref,
                )
            )
    for document in fetched.documents:
        writer.document(plan, document)
    for payment in fetched.payments:
        writer.payment(plan, payment)


def _result(
    base: str, action: str, writer: Writer, fetched: _Fetched, deals: int = 1
) -> DealRunResult:
    invoice_no = None
    if fetched.invoice is not None:
        ref = fetched.invoice[0]
        invoice_no = next((d.number for d in fetched.documents if d.ref == ref), "")
    return DealRunResult(
        base=base,
        action=action,
        deals=deals,
        created=writer.counts.created,
        updated=writer.counts.updated,
        skipped=writer.counts.skipped,
        invoice_no=invoice_no,
        invoice_done=fetched.invoice[1] if fetched.invoice is not None else None,
        contract_no=fetched.contract[1] if fetched.contract is not None else None,
    )


def base_for_deal(ctx: Context, deal_id: int) -> str:
    """The 1C base a deal is exchanged with from the TUI: the first active base its
    client is linked to, else the first active base."""
    ctx.require(R.ONEC_EXCHANGE, R.DEALS)
    with ctx.db.reader() as s:
        rows = s.execute(
            select(OnecBase.id, OnecBase.name).where(OnecBase.is_active).order_by(OnecBase.name)
        ).all()
        if not rows:
            raise OnecError(_("No 1C bases yet: the administrator adds them"))
        company_id = s.scalar(select(Deal.company_id).where(Deal.id == deal_id, deal_visible(ctx)))
        linked = set(
            s.scalars(
                select(OnecLink.base_id).where(
                    OnecLink.object_kind == COMPANY, OnecLink.object_id == company_id
                )
            )
        )
    return next((name for base_id, name in rows if base_id in linked), rows[0].name)
