"""Deals — «Работа» (D1–D8): pipelines and stages, deals, the stages of a deal,
products of a deal, planned and actual payments, 1C documents of a deal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from qstui.db.models.base import Base, Editable
from qstui.db.types import MONEY, PERCENT, QUANTITY, RATE, EnumText
from qstui.domain.enums import DealStatus, DocKind, DocState, PaymentKind, PaymentSource

# A summary column: derived from other rows by the services, not audited as an edit.
DERIVED = {"derived": True}
SUMMARY_MONEY: dict[str, Any] = {
    "type_": MONEY,
    "nullable": False,
    "default": Decimal("0"),
    "server_default": text("0"),
    "info": DERIVED,
}


class Pipeline(Base, Editable):
    __tablename__ = "pipelines"

    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    is_default: Mapped[bool] = mapped_column(nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Stage(Base, Editable):
    """A stage of a pipeline; the last active stage is where a deal is won."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("pipeline_id", "sort_no"),)

    pipeline_id: Mapped[int] = mapped_column(
        ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    sort_no: Mapped[int] = mapped_column(Integer, nullable=False)
    probability: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # percent
    days: Mapped[int | None] = mapped_column(Integer)  # usual duration, for deadlines
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True)


class Deal(Base, Editable):
    __tablename__ = "deals"
    __table_args__ = (
        # a client's deals, with their manager (a head's view of a client's deals)
        Index(None, "company_id", "manager_id"),
        Index(None, "manager_id", "status"),
        Index(None, "status", "stage_id"),
        # the deal list, newest start first: Firebird navigates an index one way only,
        # so it is descending there (SQLite walks it both ways)
        Index(None, "started_on", "id", firebird_descending=True),
        # open deals per pipeline and stage with their money (the reports' engine's
        # planned and weighted measures), read from the index alone on SQLite
        Index(
            None,
            "status",
            "pipeline_id",
            "stage_id",
            "currency_code",
            "amount",
            "started_on",
            "manager_id",
        ),
        # the sales reports: deals won or lost in a period
        Index(None, "status", "closed_on", "manager_id", "currency_code", "amount", "started_on"),
    )

    title: Mapped[str] = mapped_column(String(250), nullable=False)
    title_fold: Mapped[str] = mapped_column(String(250), nullable=False, index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"), nullable=False)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))  # the current stage
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    reason: Mapped[str | None] = mapped_column(String(500))  # why the deal started
    started_on: Mapped[date] = mapped_column(nullable=False)
    planned_end_on: Mapped[date | None] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column()
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    status: Mapped[DealStatus] = mapped_column(
        EnumText(DealStatus), nullable=False, default=DealStatus.OPEN
    )
    amount: Mapped[Decimal] = mapped_column(nullable=False, default=Decimal("0"))  # sum of items
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("refusal_reasons.id"))
    lost_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    lost_note: Mapped[str | None] = mapped_column(String(1000))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("mass_activities.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(String(4000))
    # D6 summary, in the deal currency: its counted invoices and shipments and its actual
    # payments, each converted at the rate of its date. Derived from those rows and kept
    # in the same transaction by every write that changes them
    # (``services.deals.sums.recount_deal_money``); ``rate_missing``: a conversion lacks
    # a rate, so the three are unknown (0 here) and readers recompute to say which.
    invoiced: Mapped[Decimal] = mapped_column(**SUMMARY_MONEY)
    shipped: Mapped[Decimal] = mapped_column(**SUMMARY_MONEY)
    paid: Mapped[Decimal] = mapped_column(**SUMMARY_MONEY)
    rate_missing: Mapped[bool] = mapped_column(
        nullable=False, default=False, server_default=false(), info=DERIVED
    )
    # Kept with them, for the receivables report (an index range over the owing deals,
    # their age without reading the documents): ``debt`` = max(invoiced, shipped) − paid
    # (0 when ``rate_missing``; negative for an advance), ``billed_on`` the day of the
    # first counted invoice or shipment (None: none yet)
    debt: Mapped[Decimal] = mapped_column(**SUMMARY_MONEY)
    billed_on: Mapped[date | None] = mapped_column(info=DERIVED)


class DealStage(Base, Editable):
    """A stage as a deal lives it: its own responsible manager, deadline and done date."""

    __tablename__ = "deal_stages"
    __table_args__ = (
        UniqueConstraint("deal_id", "stage_id"),
        # overdue stages (the start page): of open deals, not done, the deadline passed —
        # an index range in the order they are listed (due_on, deal_id, id): no sort of
        # all late stages, and no walk over the late stages of lost deals
        Index(None, "responsible_id", "deal_open", "done_on", "due_on", "deal_id", "id"),
        Index(None, "deal_open", "done_on", "due_on", "deal_id", "id"),
        # a deal's stages with their days: whether a deal is late (the deal list's
        # overdue filter), from the index alone on SQLite
        Index(None, "deal_id", "stage_id", "due_on", "started_on", "done_on"),
    )

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), nullable=False)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_on: Mapped[date | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column()
    done_on: Mapped[date | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(1000))
    # a copy of "the deal is open" (deals.status), kept by services.deals.outcome: a lost
    # deal's stages stay undone, and the late ones of an open deal are found by index
    deal_open: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class DealItem(Base, Editable):
    """A product or service of a deal (D3); ``amount`` = qty × price × (1 − discount)."""

    __tablename__ = "deal_items"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False, index=True)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    qty: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False)
    price: Mapped[Decimal] = mapped_column(nullable=False)
    discount_pct: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    vat_pct: Mapped[Decimal | None] = mapped_column(PERCENT)


class DealDocument(Base, Editable):
    """A document of a deal (D5): invoice, shipment, invoice-facture, payment order.

    Documents come from 1C and are read-only here; ``by_hand`` marks an invoice or a
    shipment a manager registered in qstui (a team without 1C), which its editors may
    change or delete (``services.deals.documents``)."""

    __tablename__ = "deal_documents"

    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    base_id: Mapped[int | None] = mapped_column(ForeignKey("onec_bases.id"))
    doc_kind: Mapped[DocKind] = mapped_column(EnumText(DocKind), nullable=False)
    doc_no: Mapped[str] = mapped_column(String(50), nullable=False)
    doc_date: Mapped[date] = mapped_column(nullable=False)
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    state: Mapped[DocState] = mapped_column(
        EnumText(DocState), nullable=False, default=DocState.POSTED
    )
    note: Mapped[str | None] = mapped_column(String(500))
    by_hand: Mapped[bool] = mapped_column(nullable=False, default=False, server_default=false())
    # a 1C document's rate: units of the base currency for one of ``currency_code``
    rate: Mapped[Decimal | None] = mapped_column(RATE)


class Payment(Base, Editable):
    """A planned or actual payment (D4), from a manager, 1C or a bank statement file."""

    __tablename__ = "payments"
    __table_args__ = (Index(None, "company_id", "pay_kind"),)

    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False
    )
    pay_kind: Mapped[PaymentKind] = mapped_column(EnumText(PaymentKind), nullable=False)
    pay_date: Mapped[date] = mapped_column(nullable=False, index=True)
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    currency_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("currencies.code"), nullable=False, default="RUB"
    )
    source: Mapped[PaymentSource] = mapped_column(
        EnumText(PaymentSource), nullable=False, default=PaymentSource.MANUAL
    )
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("deal_documents.id", ondelete="SET NULL")
    )
    doc_no: Mapped[str | None] = mapped_column(String(50))
    doc_date: Mapped[date | None] = mapped_column()
    purpose: Mapped[str | None] = mapped_column(String(500))
    import_key: Mapped[str | None] = mapped_column(String(100), unique=True)  # idempotent imports
    # a 1C payment's rate: units of the base currency for one of ``currency_code``
    rate: Mapped[Decimal | None] = mapped_column(RATE)
