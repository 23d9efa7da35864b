"""The qstui side of a deal in 1C: what a run reads of the deal before talking to 1C
(``read_plan``), and what it writes afterwards in one transaction (``Writer``): the
deal's contract and its link, documents (``deal_documents``, linked by ``onec_links``
kind ``deal_document``) and payments (``payments.import_key``), the deal's sums.

Links: a company is ``company``, a product ``product`` (the reference sync makes
them), our contract ``contract`` (made here); the deal reaches its 1C contract through
``deals.contract_id``. These helpers take an open session; rights are the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import (
    Company,
    Contract,
    Deal,
    DealDocument,
    DealItem,
    OnecLink,
    Payment,
    Product,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import (
    ContractStatus,
    DocKind,
    DocState,
    LogLevel,
    PaymentKind,
    PaymentSource,
)
from qstui.domain.errors import NotFound
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.deals import load_deal, save_deal
from qstui.services.deals.sums import recount_deal_money
from qstui.services.onec.journal import LogLine
from qstui.services.persist import apply_changes, record_create
from qstui.services.visibility import company_visible

COMPANY = "company"
PRODUCT = "product"
CONTRACT = "contract"
DOCUMENT = "deal_document"


@dataclass(frozen=True)
class Line:
    product_id: int
    name: str
    qty: Decimal
    price: Decimal
    amount: Decimal
    vat_pct: Decimal | None
    ref: str | None  # the product in 1C


@dataclass
class Plan:
    """A deal as a run needs it, read before anything is asked of 1C."""

    deal_id: int
    company_id: int
    company_name: str
    currency_code: str
    counterparty_ref: str | None
    contract_id: int | None
    contract_number: str | None
    contract_signed: date | None
    contract_ref: str | None
    lines: list[Line] = field(default_factory=list)
    # 1C documents of this deal already here: ref → (document id, kind, 1C DataVersion)
    documents: dict[str, tuple[int, DocKind, str | None]] = field(default_factory=dict)

    def refs_of(self, kind: DocKind) -> set[str]:
        return {ref for ref, (_id, k, _v) in self.documents.items() if k == kind}


def _ref(s: Session, base_id: int, kind: str, object_id: int | None) -> str | None:
    if object_id is None:
        return None
    return s.scalar(
        select(OnecLink.ref_key).where(
            OnecLink.base_id == base_id,
            OnecLink.object_kind == kind,
            OnecLink.object_id == object_id,
        )
    )


def read_plan(s: Session, ctx: Context, base_id: int, deal_id: int) -> Plan:
    """The visible deal of a visible client, with its links to base ``base_id``."""
    deal = load_deal(s, ctx, deal_id)
    company = s.scalar(select(Company).where(Company.id == deal.company_id, company_visible(ctx)))
    if company is None:
        raise NotFound(_("Client"), deal.company_id)
    contract = s.get(Contract, deal.contract_id) if deal.contract_id is not None else None
    plan = Plan(
        deal_id=deal.id,
        company_id=company.id,
        company_name=company.name,
        currency_code=deal.currency_code,
        counterparty_ref=_ref(s, base_id, COMPANY, company.id),
        contract_id=contract.id if contract is not None else None,
        contract_number=contract.number if contract is not None else None,
        contract_signed=contract.signed_on if contract is not None else None,
        contract_ref=_ref(s, base_id, CONTRACT, contract.id) if contract is not None else None,
    )
    product_refs = dict(
        s.execute(
            select(OnecLink.object_id, OnecLink.ref_key).where(
                OnecLink.base_id == base_id,
                OnecLink.object_kind == PRODUCT,
                OnecLink.object_id.in_(
                    select(DealItem.product_id).where(DealItem.deal_id == deal.id)
                ),
            )
        ).all()
    )
    for item, name in s.execute(
        select(DealItem, Product.name)
        .join(Product, Product.id == DealItem.product_id)
        .where(DealItem.deal_id == deal.id)
        .order_by(DealItem.line_no, DealItem.id)
    ):
        plan.lines.append(
            Line(
                item.product_id,
                name,
                item.qty,
                item.price,
                item.amount,
                item.vat_pct,
                product_refs.get(item.product_id),
            )
        )
    for ref, doc_id, kind, version in s.execute(
        select(OnecLink.ref_key, DealDocument.id, DealDocument.doc_kind, OnecLink.data_version)
        .join(DealDocument, DealDocument.id == OnecLink.object_id)
        .where(
            OnecLink.base_id == base_id,
            OnecLink.object_kind == DOCUMENT,
            DealDocument.deal_id == deal.id,
        )
    ):
        plan.documents[ref] = (doc_id, kind, version)
    return plan


@dataclass(frozen=True)
class TheirDocument:
    """A 1C document as qstui keeps it."""

    ref: str
    version: str
    kind: DocKind
    number: str
    day: date
    amount: Decimal
    currency_code: str
    rate: Decimal | None
    state: DocState


@dataclass(frozen=True)
class TheirPayment:
    """One row of a 1C incoming payment's decoding (РасшифровкаПлатежа)."""

    key: str  # payments.import_key
    invoice_ref: str | None
    number: str
    day: date
    amount: Decimal
    currency_code: str
    rate: Decimal | None
    purpose: str


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


class Writer:
    """The writes of one run, in the caller's transaction."""

    def __init__(self, s: Session, ctx: Context, base_id: int) -> None:
        self.s, self.ctx, self.base_id = s, ctx, base_id
        self.counts = Counts()
        self.deals: set[int] = set()
        self.lines: list[LogLine] = []

    def _log(self, text: str, kind: str, object_id: int, ref: str | None) -> None:
        self.lines.append(LogLine(LogLevel.INFO, text, kind, object_id, ref))

    def _link(self, kind: str, object_id: int, ref: str, version: str | None) -> None:
        link = self.s.scalar(
            select(OnecLink).where(
                OnecLink.base_id == self.base_id,
                OnecLink.object_kind == kind,
                OnecLink.object_id == object_id,
            )
        )
        if link is None:
            link = OnecLink(
                base_id=self.base_id, object_kind=kind, object_id=object_id, ref_key=ref
            )
            self.s.add(link)
        link.ref_key, link.data_version, link.synced_at = ref, version, utcnow()
        link.updated_by = self.ctx.user_id
        self.s.flush()

    def contract(self, plan: Plan, ref: str, number: str, day: date | None) -> int:
        """Link the deal to 1C contract ``ref``: through our contract already linked to
        it, the deal's own contract, or a new one; returns our contract's id."""
        linked = self.s.scalar(
            select(OnecLink.object_id).where(
                OnecLink.base_id == self.base_id,
                OnecLink.object_kind == CONTRACT,
                OnecLink.ref_key == ref,
            )
        )
        contract_id = linked if linked is not None else plan.contract_id
        if contract_id is None:
            contract = Contract(
                company_id=plan.company_id,
                number=number[:50] or str(plan.deal_id),
                title=_("Contract with a buyer (1C)"),
                signed_on=day,
                currency_code=plan.currency_code,
                status=ContractStatus.ACTIVE,
                updated_by=self.ctx.user_id,
            )
            record_create(self.s, self.ctx, contract, "contract")
            contract_id = contract.id
            self.counts.created += 1
        if linked is None:
            self._link(CONTRACT, contract_id, ref, None)
        if plan.contract_id != contract_id:
            deal = self.s.get(Deal, plan.deal_id)
            assert deal is not None
            save_deal(self.s, self.ctx, deal, {"contract_id": contract_id}, force=False)
            plan.contract_id = contract_id
            self.counts.updated += 1
        plan.contract_ref = ref
        return contract_id

    def document(self, plan: Plan, doc: TheirDocument) -> int | None:
        """Create or bring up to date the deal's copy of ``doc``; returns its id (None:
        it belongs to another deal's documents and is left there)."""
        self.deals.add(plan.deal_id)
        values: dict[str, Any] = {
            "doc_kind": doc.kind,
            "doc_no": doc.number[:50],
            "doc_date": doc.day,
            "amount": doc.amount,
            "currency_code": doc.currency_code,
            "rate": doc.rate,
            "state": doc.state,
        }
        known = plan.documents.get(doc.ref)
        if known is None:
            other = self.s.scalar(
                select(OnecLink.object_id).where(
                    OnecLink.base_id == self.base_id,
                    OnecLink.object_kind == DOCUMENT,
                    OnecLink.ref_key == doc.ref,
                )
            )
            if other is not None:
                return None
            document = DealDocument(
                deal_id=plan.deal_id,
                company_id=plan.company_id,
                base_id=self.base_id,
                updated_by=self.ctx.user_id,
                **values,
            )
            record_create(self.s, self.ctx, document, "deal_document")
            self._link(DOCUMENT, document.id, doc.ref, doc.version)
            plan.documents[doc.ref] = (document.id, doc.kind, doc.version)
            self.counts.created += 1
            self._log(
                _("Deal №{id}: document № {number} of {day} added").format(
                    id=plan.deal_id, number=doc.number, day=doc.day.isoformat()
                ),
                DOCUMENT,
                document.id,
                doc.ref,
            )
            return document.id
        doc_id, _kind, version = known
        if version == doc.version:
            self.counts.skipped += 1
            return doc_id
        document = self.s.get(DealDocument, doc_id)
        assert document is not None
        if apply_changes(self.s, self.ctx, document, values, "deal_document"):
            self.counts.updated += 1
            self._log(
                _("Deal №{id}: document № {number} changed in 1C").format(
                    id=plan.deal_id, number=doc.number
                ),
                DOCUMENT,
                doc_id,
                doc.ref,
            )
        else:
            self.counts.skipped += 1
        self._link(DOCUMENT, doc_id, doc.ref, doc.version)
        plan.documents[doc.ref] = (doc_id, doc.kind, doc.version)
        return doc_id

    def payment(self, plan: Plan, pay: TheirPayment) -> None:
        """Create or bring up to date an actual payment from 1C (by its import key)."""
        self.deals.add(plan.deal_id)
        invoice = plan.documents.get(pay.invoice_ref or "")
        values: dict[str, Any] = {
            "pay_date": pay.day,
            "amount": pay.amount,
            "currency_code": pay.currency_code,
            "rate": pay.rate,
            "doc_no": pay.number[:50],
            "doc_date": pay.day,
            "purpose": pay.purpose[:500] or None,
            "document_id": invoice[0] if invoice is not None else None,
        }
        payment = self.s.scalar(select(Payment).where(Payment.import_key == pay.key))
        if payment is None:
            payment = Payment(
                deal_id=plan.deal_id,
                company_id=plan.company_id,
                pay_kind=PaymentKind.ACTUAL,
                source=PaymentSource.ONEC,
                import_key=pay.key,
                updated_by=self.ctx.user_id,
                **values,
            )
            record_create(self.s, self.ctx, payment, "payment")
            self.counts.created += 1
            self._log(
                _("Deal №{id}: payment № {number} of {day}, {amount} {currency}").format(
                    id=plan.deal_id,
                    number=pay.number,
                    day=pay.day.isoformat(),
                    amount=pay.amount,
                    currency=pay.currency_code,
                ),
                "payment",
                payment.id,
                None,
            )
        elif apply_changes(self.s, self.ctx, payment, values, "payment"):
            self.counts.updated += 1
        else:
            self.counts.skipped += 1

    def finish(self) -> None:
        recount_deal_money(self.s, self.deals)
