"""The client card (C2): everything about one company in a dozen set-based queries
(one per section, never one per contact or deal)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import (
    AppUser,
    Claim,
    ClientGroup,
    Company,
    Contact,
    Contract,
    Deal,
    DealItem,
    Department,
    Event,
    EventResult,
    EventType,
    GroupMember,
    Industry,
    Package,
    Product,
    Region,
    Sending,
    Source,
    Stage,
)
from qstui.domain.clients import (
    ClaimSummary,
    ClientCard,
    ContractInfo,
    DealSummary,
    HistoryItem,
    MaterialSent,
    ProductBought,
)
from qstui.domain.enums import DealStatus, EventStatus, FieldEntity
from qstui.domain.errors import NotFound
from qstui.domain.names import person_name
from qstui.i18n import _, language
from qstui.services import rights as R
from qstui.services.clients.contacts import bank_accounts_of, contacts_of
from qstui.services.clients.custom_fields import values_of
from qstui.services.clients.debt import Converter, company_debts
from qstui.services.clients.groups import group_infos
from qstui.services.clients.terms import terms_of
from qstui.services.context import Context
from qstui.services.visibility import (
    claim_visible,
    company_visible,
    deal_visible,
    event_visible,
    owned_by_visible,
)

HISTORY = 30  # done interactions shown
PLANS = 30  # upcoming plans shown
LISTED = 100  # materials, claims, contracts shown


def get_card(ctx: Context, company_id: int, history: int = HISTORY) -> ClientCard:
    """The card of a visible company (NotFound otherwise)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        manager = aliased(AppUser)
        head = s.execute(
            select(
                Company,
                manager.full_name,
                Region.name,
                Industry.name,
                Source.name,
            )
            .outerjoin(manager, manager.id == Company.manager_id)
            .outerjoin(Region, Region.id == Company.region_id)
            .outerjoin(Industry, Industry.id == Company.industry_id)
            .outerjoin(Source, Source.id == Company.source_id)
            .where(Company.id == company_id, company_visible(ctx))
        ).first()
        if head is None:
            raise NotFound(_("Company"), company_id)
        c, manager_name, region, industry, source = head
        people, phones, emails = contacts_of(s, company_id)
        per_deal, totals = company_debts(s, [company_id])
        deals = _deals(s, ctx, company_id, per_deal)
        return ClientCard(
            id=c.id,
            version=c.version,
            name=c.name,
            full_name=c.full_name,
            legal_form=c.legal_form,
            client_kind=c.client_kind,
            inn=c.inn,
            kpp=c.kpp,
            ogrn=c.ogrn,
            okpo=c.okpo,
            legal_address=c.legal_address,
            postal_address=c.postal_address,
            city=c.city,
            website=c.website,
            region_id=c.region_id,
            region=region,
            industry_id=c.industry_id,
            industry=industry,
            source_id=c.source_id,
            source=source,
            manager_id=c.manager_id,
            manager=manager_name,
            rating=c.rating,
            notes=c.notes,
            last_contact_at=c.last_contact_at,
            created_at=c.created_at,
            updated_at=c.updated_at,
            contacts=tuple(people),
            phones=tuple(phones),
            emails=tuple(emails),
            bank_accounts=tuple(bank_accounts_of(s, company_id)),
            custom_fields=values_of(s, FieldEntity.COMPANY, [company_id])[company_id],
            groups=tuple(
                group_infos(
                    s,
                    ctx,
                    ClientGroup.id.in_(
                        select(GroupMember.group_id).where(GroupMember.company_id == company_id)
                    ),
                )
            ),
            terms=tuple(terms_of(s, company_id)),
            contracts=tuple(_contracts(s, company_id)),
            deals=tuple(deals),
            total_debt=totals[company_id],
            products=tuple(_products(s, ctx, company_id)),
            materials=tuple(_materials(s, company_id)),
            claims=tuple(_claims(s, ctx, company_id)),
            history=tuple(_events(s, ctx, company_id, planned=False, limit=history)),
            plans=tuple(_events(s, ctx, company_id, planned=True, limit=PLANS)),
        )


def _contracts(s: Session, company_id: int) -> list[ContractInfo]:
    rows = s.scalars(
        select(Contract)
        .where(Contract.company_id == company_id)
        .order_by(Contract.id.desc())
        .limit(LISTED)
    )
    return [
        ContractInfo(
            id=r.id,
            number=r.number,
            title=r.title,
            signed_on=r.signed_on,
            valid_to=r.valid_to,
            currency_code=r.currency_code,
            amount=r.amount,
            status=r.status,
            pay_terms=r.pay_terms,
            file_path=r.file_path,
            notes=r.notes,
            version=r.version,
        )
        for r in rows
    ]


def _deals(
    s: Session, ctx: Context, company_id: int, debts: dict[int, Decimal]
) -> list[DealSummary]:
    rows = s.execute(
        select(
            Deal.id,
            Deal.title,
            Deal.status,
            Stage.name.label("stage"),
            Deal.amount,
            Deal.currency_code,
            Deal.started_on,
            Deal.closed_on,
            AppUser.full_name.label("manager"),
        )
        .outerjoin(Stage, Stage.id == Deal.stage_id)
        .outerjoin(AppUser, AppUser.id == Deal.manager_id)
        .where(Deal.company_id == company_id, deal_visible(ctx))
        .order_by(Deal.started_on.desc(), Deal.id.desc())
    ).all()
    return [
        DealSummary(
            id=r.id,
            title=r.title,
            status=r.status,
            stage=r.stage,
            amount=r.amount,
            currency_code=r.currency_code,
            debt=debts.get(r.id, Decimal("0")),
            started_on=r.started_on,
            closed_on=r.closed_on,
            manager=r.manager,
        )
        for r in rows
    ]


def _products(s: Session, ctx: Context, company_id: int) -> list[ProductBought]:
    rows = s.execute(
        select(
            DealItem.product_id,
            Product.name,
            Deal.currency_code,
            func.sum(DealItem.qty),
            func.sum(DealItem.amount),
            func.max(Deal.closed_on),
        )
        .join(Deal, Deal.id == DealItem.deal_id)
        .join(Product, Product.id == DealItem.product_id)
        .where(Deal.company_id == company_id, Deal.status == DealStatus.WON, deal_visible(ctx))
        .group_by(DealItem.product_id, Product.name, Deal.currency_code)
    ).all()
    conv = Converter.load(s, {r[2] for r in rows})
    merged: dict[int, dict[str, Any]] = {}
    for product_id, name, code, qty, amount, last_on in rows:
        item = merged.setdefault(
            product_id,
            {"product": name, "qty": Decimal("0"), "amount": Decimal("0"), "last_on": None},
        )
        item["qty"] += Decimal(qty or 0)
        item["amount"] += conv.convert(Decimal(amount or 0), code)
        if last_on is not None and (item["last_on"] is None or last_on > item["last_on"]):
            item["last_on"] = last_on
    out = [
        ProductBought(
            product_id=pid,
            product=v["product"],
            qty=v["qty"],
            amount=v["amount"].quantize(Decimal("0.01")),
            last_on=v["last_on"],
        )
        for pid, v in merged.items()
    ]
    return sorted(out, key=lambda p: (-p.amount, p.product))


def _materials(s: Session, company_id: int) -> list[MaterialSent]:
    rows = s.execute(
        select(Sending.id, Package.name, Sending.email_to, Sending.sent_at, Sending.status)
        .join(Package, Package.id == Sending.package_id)
        .where(Sending.company_id == company_id)
        .order_by(Sending.sent_at.desc(), Sending.id.desc())
        .limit(LISTED)
    )
    return [
        MaterialSent(id=i, package=p, email_to=e, sent_at=t, status=st) for i, p, e, t, st in rows
    ]


def _claims(s: Session, ctx: Context, company_id: int) -> list[ClaimSummary]:
    rows = s.execute(
        select(Claim.id, Claim.subject, Claim.status, Claim.registered_at, AppUser.full_name)
        .outerjoin(AppUser, AppUser.id == Claim.employee_id)
        .where(Claim.company_id == company_id, claim_visible(ctx))
        .order_by(Claim.registered_at.desc(), Claim.id.desc())
        .limit(LISTED)
    )
    return [
        ClaimSummary(id=i, subject=subj, status=st, registered_at=at, employee=who)
        for i, subj, st, at, who in rows
    ]


def _events(
    s: Session, ctx: Context, company_id: int, *, planned: bool, limit: int
) -> list[HistoryItem]:
    type_name = EventType.name_en if language() == "en" else EventType.name
    stmt = (
        select(
            Event.id,
            Event.event_at,
            func.coalesce(type_name, EventType.name).label("type_name"),
            Event.subject,
            EventResult.name.label("result_name"),
            Event.result_text,
            AppUser.full_name.label("responsible"),
            Event.status,
            Contact.last_name,
            Contact.first_name,
            Product.name.label("product"),
        )
        .join(EventType, EventType.id == Event.type_id)
        .outerjoin(EventResult, EventResult.id == Event.result_id)
        .outerjoin(AppUser, AppUser.id == Event.responsible_id)
        .outerjoin(Contact, Contact.id == Event.contact_id)
        .outerjoin(Product, Product.id == Event.product_id)
        .where(Event.company_id == company_id, event_visible(ctx))
    )
    if planned:
        stmt = stmt.where(Event.status == EventStatus.PLANNED).order_by(Event.event_at, Event.id)
    else:
        stmt = stmt.where(Event.status != EventStatus.PLANNED).order_by(
            Event.event_at.desc(), Event.id.desc()
        )
    out = []
    for r in s.execute(stmt.limit(max(0, limit))):
        result = ": ".join(x for x in (r.result_name, r.result_text) if x) or None
        contact = person_name(r.last_name, r.first_name)
        out.append(
            HistoryItem(
                id=r.id,
                when=r.event_at,
                type=r.type_name,
                subject=r.subject,
                result=result,
                responsible=r.responsible,
                status=r.status,
                contact=contact,
                product=r.product,
            )
        )
    return out


Choice = tuple[int, str]


def card_choices(ctx: Context) -> dict[str, tuple[Choice, ...]]:
    """What the card's drop-downs offer, as ``(id, name)`` pairs by name: ``regions``,
    ``industries``, ``sources`` and ``departments`` (active ones), ``employees`` (every
    user not locked: who answers for a claim) and ``managers`` (the users the current
    user may give clients to: the visible ones)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:

        def pairs(stmt: Any) -> tuple[Choice, ...]:
            return tuple((int(i), str(name)) for i, name in s.execute(stmt))

        users = select(AppUser.id, AppUser.full_name).where(AppUser.is_locked.is_(False))
        return {
            "regions": pairs(
                select(Region.id, Region.name)
                .where(Region.is_active.is_(True))
                .order_by(Region.name, Region.id)
            ),
            "industries": pairs(
                select(Industry.id, Industry.name)
                .where(Industry.is_active.is_(True))
                .order_by(Industry.name, Industry.id)
            ),
            "sources": pairs(
                select(Source.id, Source.name)
                .where(Source.is_active.is_(True))
                .order_by(Source.name, Source.id)
            ),
            "departments": pairs(
                select(Department.id, Department.name)
                .where(Department.is_active.is_(True))
                .order_by(Department.name, Department.id)
            ),
            "employees": pairs(users.order_by(AppUser.full_name, AppUser.id)),
            "managers": pairs(
                users.where(owned_by_visible(ctx, AppUser.id)).order_by(
                    AppUser.full_name, AppUser.id
                )
            ),
        }


__all__ = ["card_choices", "get_card"]
