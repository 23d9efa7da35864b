"""The deal card — what «Работа» shows of one deal (D1–D6): its fields, stages, products,
payments, 1C documents, debt and custom fields (``get_deal``), and the card's first paint
with what its drop-downs offer, all in one session (``deal_view``).

Rights: the module right ``deals``; only deals the user sees exist for them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Deal,
    DealStage,
    Pipeline,
    RefusalReason,
    Source,
    Stage,
)
from qstui.domain.clock import today
from qstui.domain.deals import (
    DealCard,
    DealStageInfo,
    DealView,
    DebtInfo,
    DocumentInfo,
    PaymentInfo,
)
from qstui.domain.enums import DealStatus, FieldEntity
from qstui.domain.errors import NotFound
from qstui.domain.names import person_name
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients.custom_fields import values_of
from qstui.services.context import Context
from qstui.services.deals import debt as debt_service
from qstui.services.deals._shared import documents_of, items_of, payments_of
from qstui.services.deals.choices import contacts_in, managers_in, sources_in
from qstui.services.refbooks.currency import MissingRate, RateBook, currencies_in
from qstui.services.visibility import deal_visible


def get_deal(ctx: Context, deal_id: int) -> DealCard:
    """Everything the deal card shows, in a few set-based queries."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        return card_in(s, ctx, deal_id)


def deal_view(ctx: Context, deal_id: int) -> DealView:
    """The deal card's first paint in one session: the card (``get_deal``) and what its
    drop-downs offer — the client's contact persons (``contact_choices``), the managers
    (``manager_choices``), the sources (``source_choices``) and the currencies
    (``list_currencies``)."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        card = card_in(s, ctx, deal_id)
        return DealView(
            card=card,
            contacts=tuple(contacts_in(s, card.company_id)),
            managers=tuple(managers_in(s, ctx)),
            sources=tuple(sources_in(s)),
            currencies=tuple(currencies_in(s)),
        )


def card_in(s: Session, ctx: Context, deal_id: int) -> DealCard:
    """The card of a visible deal (else NotFound), read in the open session ``s``."""
    manager = aliased(AppUser)
    client = aliased(Company)  # not Company itself: the visibility EXISTS uses that
    current = aliased(Stage)
    lost_stage = aliased(Stage)
    on = today()
    row = s.execute(
        select(
            Deal,
            client.name,
            Contact.last_name,
            Contact.first_name,
            Contact.middle_name,
            manager.full_name,
            Pipeline.name,
            current.name,
            Source.name,
            RefusalReason.name,
            lost_stage.name,
        )
        .join(client, client.id == Deal.company_id)
        .join(Pipeline, Pipeline.id == Deal.pipeline_id)
        .outerjoin(Contact, Contact.id == Deal.contact_id)
        .outerjoin(manager, manager.id == Deal.manager_id)
        .outerjoin(current, current.id == Deal.stage_id)
        .outerjoin(Source, Source.id == Deal.source_id)
        .outerjoin(RefusalReason, RefusalReason.id == Deal.lost_reason_id)
        .outerjoin(lost_stage, lost_stage.id == Deal.lost_stage_id)
        .where(Deal.id == deal_id, deal_visible(ctx))
    ).first()
    if row is None:
        raise NotFound(_("Deal"), deal_id)
    (deal, company, c_last, c_first, c_middle, manager_name, pipeline, stage_name) = row[:8]
    source_name, reason_name, lost_stage_name = row[8:]
    stages = _stages_of(s, deal, on)
    items = items_of(s, deal.id)
    payments = payments_of(s, deal.id)
    documents = documents_of(s, deal.id)
    debt, debt_error = _debt(s, deal, documents, payments)
    return DealCard(
        id=deal.id,
        version=deal.version,
        title=deal.title,
        company_id=deal.company_id,
        company_name=company,
        contact_id=deal.contact_id,
        contact_name=person_name(c_last, c_first, c_middle),
        manager_id=deal.manager_id,
        manager_name=manager_name,
        pipeline_id=deal.pipeline_id,
        pipeline_name=pipeline,
        stage_id=deal.stage_id,
        stage_name=stage_name,
        source_id=deal.source_id,
        source_name=source_name,
        reason=deal.reason,
        started_on=deal.started_on,
        planned_end_on=deal.planned_end_on,
        closed_on=deal.closed_on,
        currency_code=deal.currency_code,
        status=deal.status,
        amount=deal.amount,
        lost_reason_id=deal.lost_reason_id,
        lost_reason_name=reason_name,
        lost_stage_id=deal.lost_stage_id,
        lost_stage_name=lost_stage_name,
        lost_note=deal.lost_note,
        notes=deal.notes,
        stages=tuple(stages),
        items=tuple(items),
        payments=tuple(payments),
        documents=tuple(documents),
        debt=debt,
        debt_error=debt_error,
        custom_fields=values_of(s, FieldEntity.DEAL, [deal.id])[deal.id],
    )


def _debt(
    s: Session, deal: Deal, documents: list[DocumentInfo], payments: list[PaymentInfo]
) -> tuple[DebtInfo | None, str | None]:
    """The deal's debt from its summary columns; when a conversion lacks a rate, the
    message naming it (recomputed from the rows the card shows anyway)."""
    if not deal.rate_missing:
        return debt_service.summary_debt(
            deal.currency_code, deal.invoiced, deal.shipped, deal.paid
        ), None
    try:
        rates = RateBook.load(s, debt_service.rate_needs(deal.currency_code, documents, payments))
        return debt_service.debt_from(deal.currency_code, documents, payments, rates), None
    except MissingRate as exc:
        return None, str(exc)


def _stages_of(s: Session, deal: Deal, on: date) -> list[DealStageInfo]:
    rows = s.execute(
        select(Stage, DealStage, AppUser.full_name)
        .outerjoin(DealStage, and_(DealStage.stage_id == Stage.id, DealStage.deal_id == deal.id))
        .outerjoin(AppUser, AppUser.id == DealStage.responsible_id)
        .where(Stage.pipeline_id == deal.pipeline_id)
        .order_by(Stage.sort_no)
    ).all()
    result = []
    is_open = deal.status == DealStatus.OPEN
    for stage, row, responsible in rows:
        if not stage.is_active and row is None and stage.id != deal.stage_id:
            continue
        result.append(
            DealStageInfo(
                stage_id=stage.id,
                name=stage.name,
                sort_no=stage.sort_no,
                probability=stage.probability,
                days=stage.days,
                deal_stage_id=row.id if row else None,
                responsible_id=row.responsible_id if row else None,
                responsible_name=responsible,
                started_on=row.started_on if row else None,
                due_on=row.due_on if row else None,
                done_on=row.done_on if row else None,
                note=row.note if row else None,
                is_current=stage.id == deal.stage_id,
                is_overdue=bool(
                    is_open
                    and row is not None
                    and row.done_on is None
                    and row.due_on is not None
                    and row.due_on < on
                ),
                version=row.version if row else None,
            )
        )
    return result
