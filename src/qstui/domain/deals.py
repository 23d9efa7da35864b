"""Deals as the services hand them out (D1–D8): list rows, the deal card, its stages,
products, payments, 1C documents and debt, pipelines — plain values, never ORM objects.

Also the money rules every layer shares: the sum of a product line and the debt of a
deal (``item_amount``, ``debt_amount``), both exact ``Decimal`` arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from qstui.domain.calendar import ManagerRef
from qstui.domain.clients import CustomFieldValue
from qstui.domain.enums import DealStatus, DocKind, DocState, PaymentKind, PaymentSource
from qstui.i18n import N_, _

KOPECK = Decimal("0.01")
HUNDRED = Decimal(100)
# SQLite keeps NUMERIC as a float: at most 15 significant digits survive the round trip.
MAX_MONEY = Decimal("9999999999999.99")  # 13 + 2 digits
MAX_QTY = Decimal("999999999999.999")  # 12 + 3 digits
QTY_STEP = Decimal("0.001")
PERCENT_STEP = Decimal("0.001")


def kopecks(value: Decimal) -> Decimal:
    """``value`` rounded to kopecks, half up (the accounting rule)."""
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def item_amount(qty: Decimal, price: Decimal, discount_pct: Decimal) -> Decimal:
    """Sum of a product line: qty × price × (1 − discount/100), to kopecks half up."""
    with localcontext() as ctx:
        ctx.prec = 60  # exact for every value the validators let through
        raw = Decimal(qty) * Decimal(price) * (HUNDRED - Decimal(discount_pct)) / HUNDRED
        return raw.quantize(KOPECK, rounding=ROUND_HALF_UP)


def vat_included(amount: Decimal, vat_pct: Decimal | None) -> Decimal:
    """The VAT contained in ``amount`` at ``vat_pct`` («в т.ч. НДС»), to kopecks."""
    if not vat_pct:
        return Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(amount) * Decimal(vat_pct) / (HUNDRED + Decimal(vat_pct))).quantize(
            KOPECK, rounding=ROUND_HALF_UP
        )


def debt_amount(invoiced: Decimal, shipped: Decimal, paid: Decimal) -> Decimal:
    """D6: debt = max(invoiced, shipped) − paid (negative: the client paid in advance)."""
    return kopecks(max(invoiced, shipped) - paid)


# --- filters and rows of the deals list --------------------------------------------------


@dataclass(frozen=True)
class DealFilter:
    """What the deals list shows; every field narrows it (None / empty: no condition)."""

    manager_id: int | None = None
    company_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    stage_name: str | None = None  # any pipeline's stage of that name (case-insensitive)
    status: DealStatus | None = None
    started_from: date | None = None
    started_to: date | None = None
    overdue_only: bool = False
    text: str | None = None  # word prefixes of the title


@dataclass(frozen=True)
class DealRow:
    id: int
    title: str
    company_id: int
    company_name: str
    manager_id: int | None
    manager_name: str | None
    pipeline_id: int
    stage_id: int | None
    stage_name: str | None
    status: DealStatus
    started_on: date
    planned_end_on: date | None
    closed_on: date | None
    amount: Decimal
    currency_code: str
    is_overdue: bool
    version: int


# --- the deal card -----------------------------------------------------------------------


@dataclass(frozen=True)
class DealStageInfo:
    """A stage of the deal's pipeline as this deal lives it (``deal_stage_id`` None:
    the deal has not reached it)."""

    stage_id: int
    name: str
    sort_no: int
    probability: int
    days: int | None
    deal_stage_id: int | None
    responsible_id: int | None
    responsible_name: str | None
    started_on: date | None
    due_on: date | None
    done_on: date | None
    note: str | None
    is_current: bool
    is_overdue: bool
    version: int | None


@dataclass(frozen=True)
class ItemInfo:
    id: int
    deal_id: int
    line_no: int
    product_id: int
    product_name: str
    sku: str | None
    unit: str | None
    qty: Decimal
    price: Decimal
    discount_pct: Decimal
    amount: Decimal
    vat_pct: Decimal  # the line's rate, else the product's
    version: int


@dataclass(frozen=True)
class PaymentInfo:
    id: int
    deal_id: int | None
    company_id: int
    kind: PaymentKind
    pay_date: date
    amount: Decimal
    currency_code: str
    source: PaymentSource
    doc_no: str | None
    doc_date: date | None
    purpose: str | None
    version: int


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    deal_id: int | None
    company_id: int
    kind: DocKind
    doc_no: str
    doc_date: date
    amount: Decimal
    currency_code: str
    state: DocState
    note: str | None
    version: int
    by_hand: bool = False  # registered in qstui (editable), not brought from 1C
    rate: Decimal | None = None  # a 1C document's rate (units of the base currency per one)


# The kinds of documents a manager registers by hand (a team without 1C): what the debt
# counts.
HAND_KINDS = (DocKind.INVOICE, DocKind.SHIPMENT)


@dataclass(frozen=True)
class DebtInfo:
    """D6 for one deal, in the deal currency."""

    currency_code: str
    invoiced: Decimal
    shipped: Decimal
    paid: Decimal
    debt: Decimal

    @property
    def is_receivable(self) -> bool:
        """The client owes us (screens show it in red)."""
        return self.debt > 0

    @property
    def is_advance(self) -> bool:
        """The client paid more than was invoiced or shipped: an advance, not a debt."""
        return self.debt < 0


@dataclass(frozen=True)
class ClientDebt:
    """D6 for a client: the sum of its deals' debts per currency, and a total in the
    base currency at today's rates."""

    company_id: int
    by_currency: dict[str, Decimal]
    total: Decimal
    base_currency: str
    deals: dict[int, DebtInfo] = field(default_factory=dict)

    @property
    def is_receivable(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class DealCard:
    id: int
    version: int
    title: str
    company_id: int
    company_name: str
    contact_id: int | None
    contact_name: str | None
    manager_id: int | None
    manager_name: str | None
    pipeline_id: int
    pipeline_name: str
    stage_id: int | None
    stage_name: str | None
    source_id: int | None
    source_name: str | None
    reason: str | None
    started_on: date
    planned_end_on: date | None
    closed_on: date | None
    currency_code: str
    status: DealStatus
    amount: Decimal
    lost_reason_id: int | None
    lost_reason_name: str | None
    lost_stage_id: int | None
    lost_stage_name: str | None
    lost_note: str | None
    notes: str | None
    stages: tuple[DealStageInfo, ...]
    items: tuple[ItemInfo, ...]
    payments: tuple[PaymentInfo, ...]
    documents: tuple[DocumentInfo, ...]
    debt: DebtInfo | None  # None when a rate it needs is missing: see ``debt_error``
    debt_error: str | None = None
    custom_fields: tuple[CustomFieldValue, ...] = ()  # active ones and those holding a value

    @property
    def planned_payments(self) -> tuple[PaymentInfo, ...]:
        return tuple(p for p in self.payments if p.kind == PaymentKind.PLANNED)

    @property
    def actual_payments(self) -> tuple[PaymentInfo, ...]:
        return tuple(p for p in self.payments if p.kind == PaymentKind.ACTUAL)

    @property
    def is_overdue(self) -> bool:
        return self.status == DealStatus.OPEN and any(s.is_overdue for s in self.stages)


@dataclass(frozen=True)
class DealView:
    """What the deal card's first paint needs, read in one session (``deal_view``): the
    card and what its drop-downs offer, each as its own service returns it."""

    card: DealCard
    contacts: tuple[tuple[int, str], ...]  # the client's contact persons: (id, name)
    managers: tuple[ManagerRef, ...]  # the users whose deals one sees
    sources: tuple[tuple[int, str], ...]  # active sources: (id, name)
    currencies: tuple[CurrencyInfo, ...]


@dataclass(frozen=True)
class ItemSaved:
    """A product line saved: its id and the deal's new version (items are edited under
    the deal's version)."""

    item_id: int
    deal_version: int


@dataclass(frozen=True)
class OverdueStage:
    """A late stage of an open deal: not done, its deadline before today."""

    deal_stage_id: int
    deal_id: int
    deal_title: str
    company_id: int
    company_name: str
    stage_id: int
    stage_name: str
    responsible_id: int | None
    responsible_name: str | None
    due_on: date
    days_overdue: int
    version: int


# --- reference books ---------------------------------------------------------------------


@dataclass(frozen=True)
class StageInfo:
    """A stage of a pipeline (the reference book)."""

    id: int
    pipeline_id: int
    name: str
    sort_no: int
    probability: int
    days: int | None
    is_active: bool
    version: int


@dataclass(frozen=True)
class StageSpec:
    """A stage to create: name, probability of winning (percent), usual days."""

    name: str
    probability: int = 0
    days: int | None = None


@dataclass(frozen=True)
class PipelineInfo:
    id: int
    name: str
    is_default: bool
    is_active: bool
    sort_no: int
    version: int
    stages: tuple[StageInfo, ...]


@dataclass(frozen=True)
class RefusalReasonInfo:
    id: int
    name: str
    is_active: bool
    sort_no: int


@dataclass(frozen=True)
class CurrencyInfo:
    code: str
    num_code: str
    name: str
    symbol: str
    is_base: bool
    version: int


@dataclass(frozen=True)
class RateInfo:
    currency_code: str
    rate_date: date
    rate: Decimal  # units of the base currency for ``nominal`` units
    nominal: int


# --- validation of money, quantities and percents -----------------------------------------


def as_decimal(value: object) -> Decimal | None:
    """``value`` as a finite Decimal (ints and strings accepted), or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def money_error(value: object, *, positive: bool = True) -> str | None:
    """Why ``value`` is not an amount of money (None: it is one)."""
    number = as_decimal(value)
    if number is None:
        return _("Enter an amount, e.g. 1234.50")
    if positive and number <= 0:
        return _("The amount must be greater than zero")
    if number < 0:
        return _("The amount cannot be negative")
    if number != number.quantize(KOPECK):
        return _("An amount has at most 2 decimal places")
    if number > MAX_MONEY:
        return _("The amount is too large (at most 15 digits)")
    return None


def qty_error(value: object) -> str | None:
    number = as_decimal(value)
    if number is None:
        return _("Enter a quantity, e.g. 2 or 1.5")
    if number <= 0:
        return _("The quantity must be greater than zero")
    if number != number.quantize(QTY_STEP):
        return _("A quantity has at most 3 decimal places")
    if number > MAX_QTY:
        return _("The quantity is too large")
    return None


def percent_error(value: object) -> str | None:
    number = as_decimal(value)
    if number is None or not (0 <= number <= 100):
        return _("A percent is a number from 0 to 100")
    if number != number.quantize(PERCENT_STEP):
        return _("A percent has at most 3 decimal places")
    return None


# --- labels the screens and the CLI show (translate with ``_()`` where shown) -------------

STATUS_LABELS = {
    DealStatus.OPEN: N_("In work"),
    DealStatus.WON: N_("Won"),
    DealStatus.LOST: N_("Lost"),
}
DOC_KIND_LABELS = {
    DocKind.INVOICE: N_("Invoice"),
    DocKind.SHIPMENT: N_("Shipment"),
    DocKind.INVOICE_FACTURA: N_("Invoice-factura"),
    DocKind.PAYMENT_ORDER: N_("Payment order"),
}
DOC_STATE_LABELS = {
    DocState.DRAFT: N_("Not posted"),
    DocState.POSTED: N_("Posted"),
    DocState.DELETED: N_("Marked for deletion"),
}
PAYMENT_KIND_LABELS = {
    PaymentKind.PLANNED: N_("Planned"),
    PaymentKind.ACTUAL: N_("Actual"),
}
PAYMENT_SOURCE_LABELS = {
    PaymentSource.MANUAL: N_("Manual"),
    PaymentSource.ONEC: N_("1C"),
    PaymentSource.BANK: N_("Bank statement"),
}
