"""Deals — «Работа» (D1, D2, D7): create, read (the card in a few set-based queries),
list (keyset pages) and count, edit under a version, move through the stages of the
pipeline, win, lose, reopen, delete.

Rights: the module right ``deals`` for everything; ``edit`` to change; ``delete`` to
delete; ``reassign`` to give a deal to another manager. Only deals the user sees
(``visibility.deal_visible``) exist for them: any other id is ``NotFound``.

Stage rules (one row per stage a deal reached, in ``deal_stages``): the current stage's
row is the only one not done on an open deal, so "overdue" (not done, ``due_on`` before
today) always means the current stage is late. Moving forward marks every stage passed
done today (a skipped stage gets a row started and done today); moving back clears the
rows ahead of the target (no longer reached) and restarts the target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified

from qstui.db.compat import prefix_match
from qstui.db.errors import is_conflict
from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Currency,
    Deal,
    DealDocument,
    DealItem,
    DealStage,
    Payment,
    Pipeline,
    Product,
    RefusalReason,
    SearchWord,
    Source,
    Stage,
    Unit,
)
from qstui.domain.calendar import ManagerRef
from qstui.domain.clock import today
from qstui.domain.deals import (
    DealCard,
    DealFilter,
    DealRow,
    DealStageInfo,
    DocumentInfo,
    ItemInfo,
    OverdueStage,
    PaymentInfo,
)
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.domain.errors import NotFound, ServiceError, ValidationFailed
from qstui.domain.normalize import fold, words
from qstui.domain.paging import Page
from qstui.i18n import _
from qstui.services import debt as debt_service
from qstui.services import rights as R
from qstui.services import search_index
from qstui.services.context import Context
from qstui.services.currency import MissingRate, RateBook
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    fresh_conflict,
    record_create,
    record_delete,
    writing,
)
from qstui.services.pipelines import default_pipeline_id, first_stage
from qstui.services.visibility import (
    can_see_user,
    company_visible,
    deal_visible,
    owned_by_visible,
)

MAX_LIMIT = 1000
LENGTHS = {"title": 250, "reason": 500, "notes": 4000, "lost_note": 1000, "note": 1000}
DEAL_FIELDS = (
    "title",
    "contact_id",
    "manager_id",
    "source_id",
    "reason",
    "started_on",
    "planned_end_on",
    "currency_code",
    "notes",
)
STAGE_DETAIL_FIELDS = ("responsible_id", "due_on", "note")


# --- shared by the deal modules ----------------------------------------------------------


def load_deal(s: Session, ctx: Context, deal_id: int, version: int | None = None) -> Deal:
    """The visible deal (else NotFound), checked against the version the user started
    from (else Conflict naming who saved it last)."""
    deal = s.scalar(select(Deal).where(Deal.id == deal_id, deal_visible(ctx)))
    if deal is None:
        raise NotFound(_("Deal"), deal_id)
    if version is not None and deal.version != version:
        raise conflict_for(s, Deal, deal_id)
    return deal


def save_deal(
    s: Session, ctx: Context, deal: Deal, values: Mapping[str, Any], force: bool = True
) -> int:
    """Apply ``values`` to the deal (audited); with ``force`` give it a new version even
    when nothing of its own changed (its items or stages did). Returns the version."""
    diff = apply_changes(s, ctx, deal, values, "deal", derived=_derived)
    if not diff and force:
        deal.updated_by = ctx.user_id
        flag_modified(deal, "updated_by")
        try:
            s.flush()
        except Exception as exc:
            if is_conflict(exc):
                raise fresh_conflict(ctx, Deal, deal.id) from exc
            raise
    return deal.version


def _derived(deal: Deal) -> dict[str, Any]:
    return {"title_fold": fold(deal.title)[:250]}


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def length_errors(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, limit in LENGTHS.items():
        value = values.get(key)
        if value is not None and len(value) > limit:
            errors[key] = _("At most {n} characters").format(n=limit)
    return errors


def person_name(last: str | None, first: str | None, middle: str | None) -> str | None:
    name = " ".join(part for part in (last, first, middle) if part)
    return name or None


def items_of(s: Session, deal_id: int) -> list[ItemInfo]:
    rows = s.execute(
        select(DealItem, Product.name, Product.sku, Product.vat_pct, Unit.short_name)
        .join(Product, Product.id == DealItem.product_id)
        .outerjoin(Unit, Unit.id == Product.unit_id)
        .where(DealItem.deal_id == deal_id)
        .order_by(DealItem.line_no, DealItem.id)
    ).all()
    return [
        ItemInfo(
            id=item.id,
            deal_id=item.deal_id,
            line_no=item.line_no,
            product_id=item.product_id,
            product_name=name,
            sku=sku,
            unit=unit,
            qty=item.qty,
            price=item.price,
            discount_pct=item.discount_pct,
            amount=item.amount,
            vat_pct=item.vat_pct if item.vat_pct is not None else product_vat,
            version=item.version,
        )
        for item, name, sku, product_vat, unit in rows
    ]


def payment_info(p: Payment) -> PaymentInfo:
    return PaymentInfo(
        id=p.id,
        deal_id=p.deal_id,
        company_id=p.company_id,
        kind=p.pay_kind,
        pay_date=p.pay_date,
        amount=p.amount,
        currency_code=p.currency_code,
        source=p.source,
        doc_no=p.doc_no,
        doc_date=p.doc_date,
        purpose=p.purpose,
        version=p.version,
    )


def payments_of(s: Session, deal_id: int) -> list[PaymentInfo]:
    rows = s.scalars(
        select(Payment)
        .where(Payment.deal_id == deal_id)
        .order_by(Payment.pay_kind, Payment.pay_date, Payment.id)
    )
    return [payment_info(p) for p in rows]


def document_info(d: DealDocument) -> DocumentInfo:
    return DocumentInfo(
        id=d.id,
        deal_id=d.deal_id,
        company_id=d.company_id,
        kind=d.doc_kind,
        doc_no=d.doc_no,
        doc_date=d.doc_date,
        amount=d.amount,
        currency_code=d.currency_code,
        state=d.state,
        note=d.note,
        version=d.version,
    )


def documents_of(s: Session, deal_id: int) -> list[DocumentInfo]:
    rows = s.scalars(
        select(DealDocument)
        .where(DealDocument.deal_id == deal_id)
        .order_by(DealDocument.doc_date, DealDocument.id)
    )
    return [document_info(d) for d in rows]


def manager_id_by_login(ctx: Context, login: str) -> int:
    """The id of the user with ``login`` (for filters such as ``--manager LOGIN``)."""
    with ctx.db.reader() as s:
        found = s.scalar(select(AppUser.id).where(AppUser.login == (login or "").strip().lower()))
        if found is None:
            raise NotFound(_("User"), login)
        return found


# --- validation of the deal's fields ----------------------------------------------------


def _check_references(
    s: Session, ctx: Context, values: Mapping[str, Any], company_id: int, errors: dict[str, str]
) -> None:
    """Rows the values point at exist (and the contact is one of the company's); a deal
    goes only to oneself or a manager one sees (as a client does)."""
    if values.get("contact_id") is not None:
        contact_company = s.scalar(
            select(Contact.company_id).where(Contact.id == values["contact_id"])
        )
        if contact_company != company_id:
            errors["contact_id"] = _("The contact person is not one of the client's")
    _check_user(s, values.get("manager_id"), "manager_id", errors)
    manager_id = values.get("manager_id")
    hidden = manager_id not in (None, ctx.user_id) and not can_see_user(ctx, manager_id)
    if hidden and "manager_id" not in errors:
        errors["manager_id"] = _("You cannot give deals to this user")
    if (
        values.get("source_id") is not None
        and s.scalar(select(Source.id).where(Source.id == values["source_id"])) is None
    ):
        errors["source_id"] = _("No such source")
    if "currency_code" in values:
        code = values["currency_code"]
        if not code or s.scalar(select(Currency.id).where(Currency.code == code)) is None:
            errors["currency_code"] = _("Unknown currency {code}").format(code=code)


def _check_plain(
    values: Mapping[str, Any], started_on: Any = None, planned_end_on: Any = None
) -> dict[str, str]:
    """Errors of the values typed (lengths, required, dates); the planned end is checked
    against the start when both are given."""
    errors = length_errors(values)
    if "title" in values and not values["title"]:
        errors["title"] = _("A title is required")
    for key in ("started_on", "planned_end_on"):
        if values.get(key) is not None and not isinstance(values[key], date):
            errors[key] = _("Enter a date")
    if "started_on" in values and values["started_on"] is None:
        errors["started_on"] = _("A start date is required")
    if (
        isinstance(planned_end_on, date)
        and isinstance(started_on, date)
        and not errors.keys() & {"started_on", "planned_end_on"}
        and planned_end_on < started_on
    ):
        errors["planned_end_on"] = _("The planned end is before the start")
    return errors


def _replace_words(s: Session, deal: Deal) -> None:
    s.execute(
        delete(SearchWord)
        .where(SearchWord.object_kind == search_index.DEAL, SearchWord.object_id == deal.id)
        .execution_options(synchronize_session=False)
    )
    rows = list(
        search_index.rows(
            search_index.DEAL, deal.id, deal.company_id, search_index.text_words(deal.title)
        )
    )
    if rows:
        s.execute(insert(SearchWord), rows)


def _due(start: date, stage: Stage) -> date | None:
    return start + timedelta(days=stage.days) if stage.days is not None else None


# --- create, read, list ------------------------------------------------------------------


def create_deal(
    ctx: Context,
    company_id: int,
    title: str,
    pipeline_id: int | None = None,
    manager_id: int | None = None,
    contact_id: int | None = None,
    source_id: int | None = None,
    reason: str | None = None,
    started_on: date | None = None,
    planned_end_on: date | None = None,
    currency_code: str = "RUB",
    notes: str | None = None,
) -> int:
    """A new open deal at the first stage of the pipeline (default: the default one);
    the manager defaults to the client's manager, else the user. Returns its id."""
    ctx.require(R.DEALS, R.EDIT)
    started_on = started_on or today()
    values: dict[str, Any] = {
        "title": clean_text(title),
        "contact_id": contact_id,
        "source_id": source_id,
        "reason": clean_text(reason),
        "started_on": started_on,
        "planned_end_on": planned_end_on,
        "currency_code": (currency_code or "").strip().upper(),
        "notes": clean_text(notes),
    }
    errors = _check_plain(values, started_on, planned_end_on)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        company = s.scalar(select(Company).where(Company.id == company_id, company_visible(ctx)))
        if company is None:
            raise NotFound(_("Client"), company_id)
        if manager_id is None:
            manager_id = company.manager_id if company.manager_id is not None else ctx.user_id
        elif manager_id not in (ctx.user_id, company.manager_id):
            ctx.require(R.REASSIGN)
        values["manager_id"] = manager_id
        _check_references(s, ctx, values, company.id, errors)
        if pipeline_id is None:
            pipeline_id = default_pipeline_id(s)
        elif (
            s.scalar(
                select(Pipeline.id).where(Pipeline.id == pipeline_id, Pipeline.is_active.is_(True))
            )
            is None
        ):
            errors["pipeline_id"] = _("No such active pipeline")
        if errors:
            raise ValidationFailed(errors)
        stage = first_stage(s, pipeline_id)
        deal = Deal(
            company_id=company.id,
            pipeline_id=pipeline_id,
            stage_id=stage.id,
            status=DealStatus.OPEN,
            amount=Decimal("0.00"),
            updated_by=ctx.user_id,
            title_fold=fold(values["title"])[:250],
            **values,
        )
        record_create(s, ctx, deal, "deal")
        row = DealStage(
            deal_id=deal.id,
            stage_id=stage.id,
            responsible_id=manager_id,
            started_on=started_on,
            due_on=_due(started_on, stage),
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, row, "deal_stage")
        _replace_words(s, deal)
        return deal.id


def get_deal(ctx: Context, deal_id: int) -> DealCard:
    """Everything the deal card shows, in a few set-based queries."""
    ctx.require(R.DEALS)
    manager = aliased(AppUser)
    client = aliased(Company)  # not Company itself: the visibility EXISTS uses that
    current = aliased(Stage)
    lost_stage = aliased(Stage)
    on = today()
    with ctx.db.reader() as s:
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
        debt, debt_error = None, None
        try:
            rates = RateBook.load(
                s, debt_service.rate_needs(deal.currency_code, documents, payments)
            )
            debt = debt_service.debt_from(deal.currency_code, documents, payments, rates)
        except MissingRate as exc:
            debt_error = str(exc)
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
        )


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


def _overdue_exists(on: date) -> Any:
    return exists().where(
        DealStage.deal_id == Deal.id,
        DealStage.done_on.is_(None),
        DealStage.due_on < on,
    )


def _stage_ids_named(s: Session, name: str) -> list[int]:
    key = fold(name)
    return [i for i, n in s.execute(select(Stage.id, Stage.name)) if fold(n) == key]


def _conditions(s: Session, ctx: Context, flt: DealFilter, on: date) -> list[Any]:
    conditions: list[Any] = [deal_visible(ctx)]
    if flt.manager_id is not None:
        conditions.append(Deal.manager_id == flt.manager_id)
    if flt.company_id is not None:
        conditions.append(Deal.company_id == flt.company_id)
    if flt.pipeline_id is not None:
        conditions.append(Deal.pipeline_id == flt.pipeline_id)
    if flt.stage_id is not None:
        conditions.append(Deal.stage_id == flt.stage_id)
    if flt.stage_name:
        ids = _stage_ids_named(s, flt.stage_name)
        conditions.append(Deal.stage_id.in_(ids) if ids else Deal.id.is_(None))
    if flt.status is not None:
        conditions.append(Deal.status == DealStatus(flt.status))
    if flt.started_from is not None:
        conditions.append(Deal.started_on >= flt.started_from)
    if flt.started_to is not None:
        conditions.append(Deal.started_on <= flt.started_to)
    if flt.overdue_only:
        conditions += [Deal.status == DealStatus.OPEN, _overdue_exists(on)]
    for word in words(flt.text or "")[:10]:
        conditions.append(
            exists().where(
                SearchWord.object_kind == search_index.DEAL,
                SearchWord.object_id == Deal.id,
                prefix_match(SearchWord.word, word[: search_index.WORD_MAX]),
            )
        )
    return conditions


def list_deals(
    ctx: Context,
    flt: DealFilter | None = None,
    cursor: Sequence[Any] | None = None,
    limit: int = 100,
    backward: bool = False,
) -> Page[DealRow]:
    """One page of visible deals matching ``flt``, newest start first (started_on desc,
    id desc), keyset-paged. Forward from ``None``: the first rows; from a cursor: the
    rows after it. Backward from ``None``: the last rows; from a cursor: the rows before
    it. Rows come in display order with a cursor each; pass ``page.next_cursor`` back
    (same direction) to go on."""
    ctx.require(R.DEALS)
    flt = flt or DealFilter()
    limit = max(1, min(int(limit), MAX_LIMIT))
    on = today()
    manager = aliased(AppUser)
    client = aliased(Company)
    with ctx.db.reader() as s:
        conditions = _conditions(s, ctx, flt, on)
        if cursor is not None:
            after_day, after_id = cursor
            if isinstance(after_day, str):
                after_day = date.fromisoformat(after_day)
            if backward:  # the rows before the cursor in display order
                conditions.append(
                    or_(
                        Deal.started_on > after_day,
                        and_(Deal.started_on == after_day, Deal.id > int(after_id)),
                    )
                )
            else:
                conditions.append(
                    or_(
                        Deal.started_on < after_day,
                        and_(Deal.started_on == after_day, Deal.id < int(after_id)),
                    )
                )
        order = (Deal.started_on, Deal.id) if backward else (Deal.started_on.desc(), Deal.id.desc())
        overdue = case(
            (and_(Deal.status == DealStatus.OPEN, _overdue_exists(on)), 1), else_=0
        ).label("overdue")
        rows = s.execute(
            select(Deal, client.name, manager.full_name, Stage.name, overdue)
            .join(client, client.id == Deal.company_id)
            .outerjoin(manager, manager.id == Deal.manager_id)
            .outerjoin(Stage, Stage.id == Deal.stage_id)
            .where(*conditions)
            .order_by(*order)
            .limit(limit + 1)
        ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        if backward:
            rows.reverse()
        result = [
            DealRow(
                id=d.id,
                title=d.title,
                company_id=d.company_id,
                company_name=company,
                manager_id=d.manager_id,
                manager_name=manager_name,
                pipeline_id=d.pipeline_id,
                stage_id=d.stage_id,
                stage_name=stage_name,
                status=d.status,
                started_on=d.started_on,
                planned_end_on=d.planned_end_on,
                closed_on=d.closed_on,
                amount=d.amount,
                currency_code=d.currency_code,
                is_overdue=bool(late),
                version=d.version,
            )
            for d, company, manager_name, stage_name, late in rows
        ]
        return Page(
            rows=result,
            cursors=[(r.started_on.isoformat(), r.id) for r in result],
            has_more=more,
            backward=backward,
        )


def count_deals(ctx: Context, flt: DealFilter | None = None) -> int:
    ctx.require(R.DEALS)
    flt = flt or DealFilter()
    with ctx.db.reader() as s:
        conditions = _conditions(s, ctx, flt, today())
        return s.scalar(select(func.count(Deal.id)).where(*conditions)) or 0


# --- edit and delete ---------------------------------------------------------------------


def update_deal(ctx: Context, deal_id: int, version: int, **changes: Any) -> int:
    """Change fields of the deal (``DEAL_FIELDS``) saved at ``version``; returns the new
    version. Giving the deal to another manager needs ``reassign``."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(DEAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown deal fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    for key in ("title", "reason", "notes"):
        if key in values:
            values[key] = clean_text(values[key])
    if "currency_code" in values:
        values["currency_code"] = (values["currency_code"] or "").strip().upper()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        if "manager_id" in values and values["manager_id"] != deal.manager_id:
            taking_unassigned = (
                deal.manager_id is None
                and ctx.user_id is not None
                and values["manager_id"] == ctx.user_id
            )
            if not taking_unassigned:
                ctx.require(R.REASSIGN)
        dates_changed = "started_on" in values or "planned_end_on" in values
        errors = _check_plain(
            values,
            values.get("started_on", deal.started_on) if dates_changed else None,
            values.get("planned_end_on", deal.planned_end_on) if dates_changed else None,
        )
        _check_references(s, ctx, values, deal.company_id, errors)
        if errors:
            raise ValidationFailed(errors)
        old_manager = deal.manager_id
        new_version = save_deal(s, ctx, deal, values, force=False)
        if "title" in values:
            _replace_words(s, deal)
        if "manager_id" in values and values["manager_id"] != old_manager:
            # The stages still ahead of the old manager go with the deal.
            for row in s.scalars(
                select(DealStage).where(
                    DealStage.deal_id == deal.id,
                    DealStage.done_on.is_(None),
                    DealStage.responsible_id == old_manager
                    if old_manager is not None
                    else DealStage.responsible_id.is_(None),
                )
            ):
                apply_changes(s, ctx, row, {"responsible_id": values["manager_id"]}, "deal_stage")
        return new_version


def delete_deal(ctx: Context, deal_id: int, version: int) -> None:
    """Delete the deal with its stages, products and planned payments (its 1C documents
    stay with the client). A deal with actual payments is kept: money received is not
    erased with a deal."""
    ctx.require(R.DEALS, R.DELETE)
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        paid = s.scalar(
            select(func.count(Payment.id)).where(
                Payment.deal_id == deal.id, Payment.pay_kind == PaymentKind.ACTUAL
            )
        )
        if paid:
            raise ServiceError(
                _("The deal has actual payments: delete them first, or mark the deal as lost")
            )
        s.execute(
            delete(SearchWord)
            .where(SearchWord.object_kind == search_index.DEAL, SearchWord.object_id == deal.id)
            .execution_options(synchronize_session=False)
        )
        record_delete(s, ctx, deal, "deal")


# --- stages ------------------------------------------------------------------------------


def _pipeline_stages(s: Session, pipeline_id: int) -> list[Stage]:
    return list(
        s.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.sort_no))
    )


def _rows_by_stage(s: Session, deal_id: int) -> dict[int, DealStage]:
    return {
        row.stage_id: row
        for row in s.scalars(select(DealStage).where(DealStage.deal_id == deal_id))
    }


def _require_open(deal: Deal) -> None:
    if deal.status != DealStatus.OPEN:
        raise ValidationFailed({"status": _("The deal is closed: reopen it first")})


def _check_user(s: Session, user_id: int | None, key: str, errors: dict[str, str]) -> None:
    if user_id is not None and s.scalar(select(AppUser.id).where(AppUser.id == user_id)) is None:
        errors[key] = _("No such user")


def _restart(
    s: Session,
    ctx: Context,
    deal: Deal,
    stage: Stage,
    row: DealStage | None,
    on: date,
    responsible_id: int | None,
    due_on: date | None,
) -> None:
    """Make ``stage`` the deal's current, started today (its row made or reused)."""
    due = due_on if due_on is not None else _due(on, stage)
    if row is None:
        row = DealStage(
            deal_id=deal.id,
            stage_id=stage.id,
            responsible_id=responsible_id if responsible_id is not None else deal.manager_id,
            started_on=on,
            due_on=due,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, row, "deal_stage")
        return
    values: dict[str, Any] = {"started_on": on, "due_on": due, "done_on": None}
    if responsible_id is not None:
        values["responsible_id"] = responsible_id
    elif row.responsible_id is None:
        values["responsible_id"] = deal.manager_id
    apply_changes(s, ctx, row, values, "deal_stage")


def move_to_stage(
    ctx: Context,
    deal_id: int,
    version: int,
    stage_id: int,
    responsible_id: int | None = None,
    due_on: date | None = None,
) -> int:
    """Move an open deal to another stage of its pipeline (forward or back); returns
    the deal's new version. The new stage's responsible defaults to the one it had, else
    the deal's manager; its deadline to today + the stage's usual days."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        _require_open(deal)
        stages = _pipeline_stages(s, deal.pipeline_id)
        target = next((st for st in stages if st.id == stage_id), None)
        errors: dict[str, str] = {}
        if target is None or not target.is_active:
            errors["stage_id"] = _("No such active stage in the deal's pipeline")
        if due_on is not None and not isinstance(due_on, date):
            errors["due_on"] = _("Enter a date")
        _check_user(s, responsible_id, "responsible_id", errors)
        if errors:
            raise ValidationFailed(errors)
        assert target is not None
        if target.id == deal.stage_id:
            return deal.version
        current = next((st for st in stages if st.id == deal.stage_id), None)
        current_no = current.sort_no if current is not None else stages[0].sort_no - 1
        rows = _rows_by_stage(s, deal.id)
        if target.sort_no > current_no:
            for st in stages:  # every active stage passed is done today
                if current_no <= st.sort_no < target.sort_no and (st.is_active or st.id in rows):
                    row = rows.get(st.id)
                    if row is None:
                        row = DealStage(
                            deal_id=deal.id,
                            stage_id=st.id,
                            responsible_id=deal.manager_id,
                            started_on=on,
                            done_on=on,
                            updated_by=ctx.user_id,
                        )
                        record_create(s, ctx, row, "deal_stage")
                    elif row.done_on is None:
                        apply_changes(s, ctx, row, {"done_on": on}, "deal_stage")
        else:
            for st in stages:  # stages ahead of the target are no longer reached
                row = rows.get(st.id)
                if row is not None and st.sort_no > target.sort_no:
                    apply_changes(
                        s,
                        ctx,
                        row,
                        {"started_on": None, "due_on": None, "done_on": None},
                        "deal_stage",
                    )
        _restart(s, ctx, deal, target, rows.get(target.id), on, responsible_id, due_on)
        return save_deal(s, ctx, deal, {"stage_id": target.id})


def set_stage_details(ctx: Context, deal_stage_id: int, version: int, **changes: Any) -> int:
    """Change the responsible, the deadline or the note of a deal's stage (saved at
    ``version`` of that stage row); returns the row's new version."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(STAGE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown stage fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    if "note" in values:
        values["note"] = clean_text(values["note"])
    with writing(ctx) as s:
        row = s.scalar(
            select(DealStage)
            .join(Deal, Deal.id == DealStage.deal_id)
            .where(DealStage.id == deal_stage_id, deal_visible(ctx))
        )
        if row is None:
            raise NotFound(_("Stage of a deal"), deal_stage_id)
        if row.version != version:
            raise conflict_for(s, DealStage, row.id)
        errors = length_errors(values)
        if values.get("due_on") is not None and not isinstance(values["due_on"], date):
            errors["due_on"] = _("Enter a date")
        _check_user(s, values.get("responsible_id"), "responsible_id", errors)
        if errors:
            raise ValidationFailed(errors)
        apply_changes(s, ctx, row, values, "deal_stage")
        return row.version


def overdue_stages(ctx: Context, manager_id: int | None = None) -> list[OverdueStage]:
    """Late stages of visible open deals (not done, deadline before today), the latest
    first; with ``manager_id``: only the stages that manager is responsible for."""
    ctx.require(R.DEALS)
    on = today()
    responsible = aliased(AppUser)
    client = aliased(Company)
    with ctx.db.reader() as s:
        query = (
            select(
                DealStage,
                Deal.title,
                Deal.company_id,
                client.name,
                Stage.name,
                responsible.full_name,
            )
            .join(Deal, Deal.id == DealStage.deal_id)
            .join(client, client.id == Deal.company_id)
            .join(Stage, Stage.id == DealStage.stage_id)
            .outerjoin(responsible, responsible.id == DealStage.responsible_id)
            .where(
                deal_visible(ctx),
                Deal.status == DealStatus.OPEN,
                DealStage.done_on.is_(None),
                DealStage.due_on < on,
            )
            .order_by(DealStage.due_on, DealStage.id)
        )
        if manager_id is not None:
            query = query.where(DealStage.responsible_id == manager_id)
        return [
            OverdueStage(
                deal_stage_id=row.id,
                deal_id=row.deal_id,
                deal_title=title,
                company_id=company_id,
                company_name=company,
                stage_id=row.stage_id,
                stage_name=stage,
                responsible_id=row.responsible_id,
                responsible_name=user,
                due_on=row.due_on,
                days_overdue=(on - row.due_on).days,
                version=row.version,
            )
            for row, title, company_id, company, stage, user in s.execute(query)
        ]


# --- win, lose, reopen -------------------------------------------------------------------


def win_deal(ctx: Context, deal_id: int, version: int) -> int:
    """D7: the deal is won today; every active stage is done (the last becomes the
    current). Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        _require_open(deal)
        stages = [st for st in _pipeline_stages(s, deal.pipeline_id) if st.is_active]
        rows = _rows_by_stage(s, deal.id)
        for st in stages:
            row = rows.get(st.id)
            if row is None:
                row = DealStage(
                    deal_id=deal.id,
                    stage_id=st.id,
                    responsible_id=deal.manager_id,
                    started_on=on,
                    done_on=on,
                    updated_by=ctx.user_id,
                )
                record_create(s, ctx, row, "deal_stage")
            elif row.done_on is None:
                values: dict[str, Any] = {"done_on": on}
                if row.started_on is None:
                    values["started_on"] = on
                apply_changes(s, ctx, row, values, "deal_stage")
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.WON,
                "closed_on": on,
                "stage_id": stages[-1].id if stages else deal.stage_id,
                "lost_reason_id": None,
                "lost_stage_id": None,
                "lost_note": None,
            },
        )


def lose_deal(
    ctx: Context,
    deal_id: int,
    version: int,
    reason_id: int,
    stage_id: int | None = None,
    note: str | None = None,
) -> int:
    """D7: the deal is lost today for ``reason_id`` (a refusal reason) at ``stage_id``
    (default: its current stage). Returns the new version."""
    ctx.require(R.DEALS, R.EDIT)
    note = clean_text(note)
    errors = length_errors({"lost_note": note})
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        _require_open(deal)
        if s.scalar(select(RefusalReason.id).where(RefusalReason.id == reason_id)) is None:
            errors["reason_id"] = _("Choose a refusal reason")
        stage_id = stage_id if stage_id is not None else deal.stage_id
        if (
            stage_id is not None
            and s.scalar(
                select(Stage.id).where(Stage.id == stage_id, Stage.pipeline_id == deal.pipeline_id)
            )
            is None
        ):
            errors["stage_id"] = _("No such stage in the deal's pipeline")
        if errors:
            raise ValidationFailed(errors)
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.LOST,
                "closed_on": today(),
                "lost_reason_id": reason_id,
                "lost_stage_id": stage_id,
                "lost_note": note,
            },
        )


def reopen_deal(ctx: Context, deal_id: int, version: int) -> int:
    """A won or lost deal is open again at its current stage, restarted today."""
    ctx.require(R.DEALS, R.EDIT)
    on = today()
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        if deal.status == DealStatus.OPEN:
            raise ValidationFailed({"status": _("The deal is open already")})
        stages = [st for st in _pipeline_stages(s, deal.pipeline_id) if st.is_active]
        stage = next((st for st in stages if st.id == deal.stage_id), None) or (
            stages[0] if stages else first_stage(s, deal.pipeline_id)
        )
        rows = _rows_by_stage(s, deal.id)
        _restart(s, ctx, deal, stage, rows.get(stage.id), on, None, None)
        return save_deal(
            s,
            ctx,
            deal,
            {
                "status": DealStatus.OPEN,
                "closed_on": None,
                "stage_id": stage.id,
                "lost_reason_id": None,
                "lost_stage_id": None,
                "lost_note": None,
            },
        )


def stage_ids_of(ctx: Context, deal_id: int) -> Sequence[int]:
    """The active stage ids of the deal's pipeline in order (for "next stage" keys)."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        deal = load_deal(s, ctx, deal_id)
        return [st.id for st in _pipeline_stages(s, deal.pipeline_id) if st.is_active]


# --- choices for the deal forms (the screens' drop-downs) --------------------------------


def manager_choices(ctx: Context) -> list[ManagerRef]:
    """The users whose deals ``ctx`` may see (the list's manager filter, the card's
    manager and stage-responsible choosers), by name."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        query = select(AppUser.id, AppUser.login, AppUser.full_name).order_by(
            AppUser.full_name, AppUser.id
        )
        if not ctx.is_system:
            query = query.where(owned_by_visible(ctx, AppUser.id))
        return [ManagerRef(r.id, r.login, r.full_name) for r in s.execute(query)]


def source_choices(ctx: Context) -> list[tuple[int, str]]:
    """Active sources of deals (how the client heard of us): (id, name), by name."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        rows = s.execute(
            select(Source.id, Source.name)
            .where(Source.is_active.is_(True))
            .order_by(Source.name, Source.id)
        )
        return [(ident, name) for ident, name in rows]


def contact_choices(ctx: Context, deal_id: int) -> list[tuple[int, str]]:
    """The contact persons of a visible deal's client: (id, full name), primary first."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        deal = load_deal(s, ctx, deal_id)
        rows = s.execute(
            select(Contact.id, Contact.last_name, Contact.first_name, Contact.middle_name)
            .where(Contact.company_id == deal.company_id)
            .order_by(Contact.is_primary.desc(), Contact.name_fold, Contact.id)
        )
        return [(r.id, person_name(r.last_name, r.first_name, r.middle_name) or "?") for r in rows]
