"""The rows a measure is computed over (its "facts") and how each dimension is read
from them: which table, which date, which amount and currency, which joins a
dimension needs, and which visibility rule filters them (the lists' rules,
``services.visibility``).

``build(ctx, spec)`` returns a ``Facts``: a FROM clause with only the joins the spec's
dimensions and filters need, the conditions, and the expressions the engine groups
and sums. Nothing here runs a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import outerjoin as orm_outerjoin

from qstui.db.models import (
    AppUser,
    Claim,
    ClientGroup,
    Company,
    Deal,
    DealDocument,
    DealFact,
    DealItem,
    EventFact,
    GroupMember,
    Payment,
    Product,
    Stage,
)
from qstui.domain.enums import DealStatus, DocKind, DocState, EventStatus, PaymentKind
from qstui.domain.errors import ValidationFailed
from qstui.domain.report_spec import DIMENSION_LABELS, Measure, ReportSpec
from qstui.domain.reports import DrillKind
from qstui.i18n import _
from qstui.services.context import Context
from qstui.services.reports.periods import in_period
from qstui.services.visibility import (
    claim_visible,
    company_visible,
    deal_visible,
    fact_visible,
    owned_by_visible,
    sees_all,
)

DEAL_MEASURES = {
    Measure.WON: DealStatus.WON,
    Measure.WON_COUNT: DealStatus.WON,
    Measure.LOST: DealStatus.LOST,
    Measure.LOST_COUNT: DealStatus.LOST,
    Measure.PLANNED: DealStatus.OPEN,
    Measure.WEIGHTED: DealStatus.OPEN,
    Measure.DEALS: None,
}
# Dimensions whose join gives a fact several rows (a deal has many products, a client
# is in many groups): counts are then distinct, and totals are computed on their own.
MULTIPLYING = frozenset({"product", "product_group", "client_group"})


@dataclass
class Facts:
    from_: Any
    where: list[Any]
    date: Any  # the date the period and the currency rate are taken at
    timestamp: bool  # ``date`` is a naive UTC timestamp, not a date
    count_of: Any  # the id counted
    amount: Any = None  # money measures only
    currency: Any = None
    dims: dict[str, Any] = field(default_factory=dict)  # dimension → expression
    multiplied: bool = False
    drill: tuple[Any, DrillKind] | None = None  # the ids a number is made of, and what they are


class _From:
    """A FROM clause that gets each join once, when a dimension first needs it."""

    def __init__(self, base: Any) -> None:
        self.clause = base
        self.joined: dict[str, Any] = {}

    def join(self, name: str, model: Any, on: Any) -> Any:
        """An outer join of a new alias of ``model`` (``on(alias)`` is the condition),
        or the alias joined under ``name`` before."""
        if name not in self.joined:
            target = aliased(model)
            self.clause = orm_outerjoin(self.clause, target, on(target))
            self.joined[name] = target
        return self.joined[name]


def _unavailable(spec: ReportSpec, name: str) -> ValidationFailed:
    return ValidationFailed(
        {
            "dimensions": _("A report of «{measure}» has no rows by «{dimension}»").format(
                measure=spec.measure.value, dimension=_(DIMENSION_LABELS.get(name, name))
            )
        }
    )


def build(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    """The facts of ``spec.measure`` with an expression for each of ``names`` (the
    grouped dimensions plus the filtered ones)."""
    for name in names:
        if name not in DIMENSION_LABELS:
            raise ValidationFailed({"dimensions": _("Unknown dimension {name}").format(name=name)})
    measure = spec.measure
    if measure in DEAL_MEASURES:
        facts = _deals(ctx, spec, names)
    elif measure in (Measure.PAID, Measure.INVOICED):
        facts = _money_rows(ctx, spec, names)
    elif measure is Measure.CLIENTS:
        facts = _clients(ctx, spec, names)
    elif measure is Measure.EVENTS:
        facts = _events(ctx, spec, names)
    else:
        facts = _claims(ctx, spec, names)
    if spec.period is not None:
        facts.where.append(in_period(facts.date, spec.period, facts.timestamp))
    for name, values in spec.filters.items():
        facts.where.append(_one_of(facts.dims[name], values))
    return facts


def _one_of(expr: Any, values: tuple[Any, ...]) -> Any:
    known = [v for v in values if v is not None]
    parts = [expr.in_(known)] if known else []
    if len(known) != len(values):
        parts.append(expr.is_(None))
    return or_(*parts) if parts else literal_column("1") == literal_column("0")


def _manager_user(src: _From, manager: Any) -> Any:
    return src.join("manager_user", AppUser, lambda user: user.id == manager)


def _company(src: _From, company_id: Any) -> Any:
    return src.join("company", Company, lambda co: co.id == company_id)


def _groups(ctx: Context, src: _From, company_id: Any) -> Any:
    """Group membership of the facts' client, only in groups the user sees (shared
    ones and their own personal ones)."""
    seen = select(ClientGroup.id).where(
        or_(ClientGroup.is_shared.is_(True), ClientGroup.owner_id == ctx.user_id)
    )
    member = src.join(
        "groups",
        GroupMember,
        lambda m: and_(m.company_id == company_id, m.group_id.in_(seen)),
    )
    return member.group_id


def _deals(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    src = _From(Deal)
    status = DEAL_MEASURES[spec.measure]
    where: list[Any] = [deal_visible(ctx)]
    if status is not None:
        where.append(Deal.status == status)
    if spec.statuses:
        where.append(Deal.status.in_([DealStatus(s) for s in spec.statuses]))
    dated_by_close = spec.measure in (
        Measure.WON,
        Measure.WON_COUNT,
        Measure.LOST,
        Measure.LOST_COUNT,
    )
    facts = Facts(
        from_=None,
        where=where,
        date=Deal.closed_on if dated_by_close else Deal.started_on,
        timestamp=False,
        count_of=Deal.id,
        currency=Deal.currency_code,
        drill=(Deal.id, DrillKind.DEALS),
    )
    amount: Any = Deal.amount
    for name in names:
        if name in ("product", "product_group"):
            item = src.join("items", DealItem, lambda i: i.deal_id == Deal.id)
            amount = func.coalesce(item.amount, Deal.amount)
        facts.dims[name] = _deal_dimension(ctx, src, name, spec)
    if "items" in src.joined:
        facts.multiplied = True
    if any(n == "client_group" for n in names):
        facts.multiplied = True
    if spec.measure is Measure.WEIGHTED:
        stage = src.join("stage", Stage, lambda st: st.id == Deal.stage_id)
        amount = amount * func.coalesce(stage.probability, literal_column("0"))
    facts.amount = amount
    facts.from_ = src.clause
    return facts


def _deal_dimension(ctx: Context, src: _From, name: str, spec: ReportSpec) -> Any:
    if name == "manager":
        return Deal.manager_id
    if name == "department":
        return _manager_user(src, Deal.manager_id).department_id
    if name == "product":
        return src.joined["items"].product_id
    if name == "product_group":
        item = src.joined["items"]
        return src.join("product", Product, lambda p: p.id == item.product_id).group_id
    if name in ("region", "industry"):
        co = _company(src, Deal.company_id)
        return co.region_id if name == "region" else co.industry_id
    if name == "client":
        return Deal.company_id
    if name == "client_group":
        return _groups(ctx, src, Deal.company_id)
    if name == "source":
        return Deal.source_id
    if name == "pipeline":
        return Deal.pipeline_id
    if name == "stage":
        return Deal.stage_id
    if name == "lost_stage":
        return Deal.lost_stage_id
    if name == "refusal_reason":
        return Deal.lost_reason_id
    raise _unavailable(spec, name)


def _money_rows(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    """Actual payments or invoices: linked to a client and, mostly, to a deal; a row
    without a deal is the client's manager's."""
    model: Any = Payment if spec.measure is Measure.PAID else DealDocument
    src = _From(model)
    deal = src.join("deal", Deal, lambda d: d.id == model.deal_id)
    if spec.measure is Measure.PAID:
        where: list[Any] = [Payment.pay_kind == PaymentKind.ACTUAL]
        day = Payment.pay_date
    else:
        where = [DealDocument.doc_kind == DocKind.INVOICE, DealDocument.state != DocState.DELETED]
        day = DealDocument.doc_date
    if not sees_all(ctx):
        where.append(
            or_(company_visible(ctx, model.company_id), owned_by_visible(ctx, deal.manager_id))
        )
    facts = Facts(
        from_=None,
        where=where,
        date=day,
        timestamp=False,
        count_of=model.id,
        amount=model.amount,
        currency=model.currency_code,
    )
    facts.drill = (deal.id, DrillKind.DEALS)
    for name in names:
        if name in ("manager", "department"):
            co = _company(src, model.company_id)
            manager = func.coalesce(deal.manager_id, co.manager_id)
            facts.dims[name] = (
                manager if name == "manager" else _manager_user(src, manager).department_id
            )
        elif name in ("region", "industry"):
            co = _company(src, model.company_id)
            facts.dims[name] = co.region_id if name == "region" else co.industry_id
        elif name == "client":
            facts.dims[name] = model.company_id
        elif name == "client_group":
            facts.dims[name] = _groups(ctx, src, model.company_id)
            facts.multiplied = True
        elif name == "source":
            co = _company(src, model.company_id)
            facts.dims[name] = func.coalesce(deal.source_id, co.source_id)
        elif name in ("pipeline", "stage", "lost_stage", "refusal_reason"):
            column = {
                "pipeline": "pipeline_id",
                "stage": "stage_id",
                "lost_stage": "lost_stage_id",
                "refusal_reason": "lost_reason_id",
            }[name]
            facts.dims[name] = getattr(deal, column)
        else:
            raise _unavailable(spec, name)
    facts.from_ = src.clause
    return facts


def _company_dimension(ctx: Context, src: _From, name: str, company_id: Any) -> Any | None:
    if name in ("region", "industry", "source"):
        co = _company(src, company_id)
        return {"region": co.region_id, "industry": co.industry_id, "source": co.source_id}[name]
    if name == "client":
        return company_id
    if name == "client_group":
        return _groups(ctx, src, company_id)
    return None


def _clients(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    src = _From(Company)
    facts = Facts(
        from_=None,
        where=[company_visible(ctx)],
        date=Company.created_at,
        timestamp=True,
        count_of=Company.id,
        drill=(Company.id, DrillKind.CLIENTS),
    )
    for name in names:
        if name == "manager":
            facts.dims[name] = Company.manager_id
        elif name == "department":
            facts.dims[name] = _manager_user(src, Company.manager_id).department_id
        elif name in ("region", "industry", "source"):
            facts.dims[name] = getattr(Company, f"{name}_id")
        elif name == "client":
            facts.dims[name] = Company.id
        elif name == "client_group":
            facts.dims[name] = _groups(ctx, src, Company.id)
            facts.multiplied = True
        else:
            raise _unavailable(spec, name)
    facts.from_ = src.clause
    return facts


def _events(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    """Done interactions, from their narrow copy (``EventFact``: with the client's
    manager, so visibility needs no look-up of the client)."""
    src = _From(EventFact)
    facts = Facts(
        from_=None,
        where=[
            EventFact.status == EventStatus.DONE,
            fact_visible(ctx, EventFact, EventFact.responsible_id),
        ],
        date=EventFact.event_at,
        timestamp=True,
        count_of=EventFact.id,
        drill=(EventFact.id, DrillKind.EVENTS),
    )
    for name in names:
        expr = _company_dimension(ctx, src, name, EventFact.company_id)
        if expr is not None:
            facts.multiplied |= name == "client_group"
        elif name == "manager":
            expr = EventFact.responsible_id
        elif name == "department":
            expr = _manager_user(src, EventFact.responsible_id).department_id
        elif name == "interaction_type":
            expr = EventFact.type_id
        elif name == "product":
            expr = EventFact.product_id
        elif name == "product_group":
            expr = src.join("product", Product, lambda p: p.id == EventFact.product_id).group_id
        elif name in ("pipeline", "stage"):
            deal = src.join("deal", DealFact, lambda d: d.deal_id == EventFact.deal_id)
            expr = deal.pipeline_id if name == "pipeline" else deal.stage_id
        else:
            raise _unavailable(spec, name)
        facts.dims[name] = expr
    facts.from_ = src.clause
    return facts


def _claims(ctx: Context, spec: ReportSpec, names: tuple[str, ...]) -> Facts:
    src = _From(Claim)
    facts = Facts(
        from_=None,
        where=[claim_visible(ctx)],
        date=Claim.registered_at,
        timestamp=True,
        count_of=Claim.id,
        drill=(Claim.id, DrillKind.CLAIMS),
    )
    for name in names:
        expr = _company_dimension(ctx, src, name, Claim.company_id)
        if expr is not None:
            facts.multiplied |= name == "client_group"
        elif name == "manager":
            expr = Claim.employee_id
        elif name == "department":
            expr = Claim.department_id
        elif name == "claim_status":
            expr = Claim.status
        else:
            raise _unavailable(spec, name)
        facts.dims[name] = expr
    facts.from_ = src.clause
    return facts
