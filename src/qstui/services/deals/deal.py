"""A deal itself — «Работа» (D1): create it, edit its fields and the values of its
custom fields (C2) under its version (giving it to another manager needs ``reassign``),
delete it.

Rights: the module right ``deals`` for everything; ``edit`` to change; ``delete`` to
delete; ``reassign`` to give a deal to another manager. Only deals the user sees
(``visibility.deal_visible``) exist for them: any other id is ``NotFound``. The card is
read by ``view``, the list by ``listing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from qstui.db.models import (
    Company,
    Contact,
    Currency,
    Deal,
    DealStage,
    Payment,
    Pipeline,
    SearchWord,
    Source,
)
from qstui.domain.clock import today
from qstui.domain.enums import DealStatus, FieldEntity, PaymentKind
from qstui.domain.errors import NotFound, ServiceError, ValidationFailed
from qstui.domain.normalize import fold
from qstui.domain.text import multi_line, one_line
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients.custom_fields import drop_values, write_values
from qstui.services.context import Context
from qstui.services.deals._shared import (
    check_user,
    length_errors,
    load_deal,
    save_deal,
    stage_due,
)
from qstui.services.deals.sums import recount_deal_money
from qstui.services.persist import apply_changes, record_create, record_delete, writing
from qstui.services.refbooks.active import check_active
from qstui.services.refbooks.pipelines import default_pipeline_id, first_stage
from qstui.services.search import index as search_index
from qstui.services.visibility import can_see_user, company_visible

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


# --- validation of the deal's fields ----------------------------------------------------


def _check_references(
    s: Session,
    ctx: Context,
    values: Mapping[str, Any],
    company_id: int,
    errors: dict[str, str],
    current: Any = None,
) -> None:
    """Rows the values point at exist (and the contact is one of the company's); a deal
    goes only to oneself or a manager one sees (as a client does)."""
    if values.get("contact_id") is not None:
        contact_company = s.scalar(
            select(Contact.company_id).where(Contact.id == values["contact_id"])
        )
        if contact_company != company_id:
            errors["contact_id"] = _("The contact person is not one of the client's")
    check_user(s, values.get("manager_id"), "manager_id", errors)
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
    for key, model, column in (
        ("source_id", Source, Source.id),
        ("currency_code", Currency, Currency.code),
    ):
        had = getattr(current, key) if current is not None else None
        check_active(s, model, column, values.get(key), had, key, errors)


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


# --- create ------------------------------------------------------------------------------


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
        "title": one_line(title),
        "contact_id": contact_id,
        "source_id": source_id,
        "reason": one_line(reason),
        "started_on": started_on,
        "planned_end_on": planned_end_on,
        "currency_code": (currency_code or "").strip().upper(),
        "notes": multi_line(notes),
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
            due_on=stage_due(started_on, stage),
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, row, "deal_stage")
        _replace_words(s, deal)
        return deal.id


# --- edit and delete ---------------------------------------------------------------------


def update_deal(ctx: Context, deal_id: int, version: int, **changes: Any) -> int:
    """Change fields of the deal (``DEAL_FIELDS``) saved at ``version``; returns the new
    version. Giving the deal to another manager needs ``reassign``."""
    ctx.require(R.DEALS, R.EDIT)
    unknown = set(changes) - set(DEAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown deal fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    for key, clean in (("title", one_line), ("reason", one_line), ("notes", multi_line)):
        if key in values:
            values[key] = clean(values[key])
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
        _check_references(s, ctx, values, deal.company_id, errors, current=deal)
        if errors:
            raise ValidationFailed(errors)
        old_manager, old_currency = deal.manager_id, deal.currency_code
        new_version = save_deal(s, ctx, deal, values, force=False)
        if deal.currency_code != old_currency:
            recount_deal_money(s, [deal.id])  # its sums are in the deal currency
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


def set_custom_values(ctx: Context, deal_id: int, version: int, values: Mapping[int, Any]) -> int:
    """Set values of the deal's custom fields (field id → value; None or "" clears) saved
    at ``version``, all or none: a bad value, a required field left empty or a field no
    longer in use is a ``ValidationFailed`` naming each by its code. The deal gets a new
    version when something changed; returns its version."""
    ctx.require(R.DEALS, R.EDIT)
    with writing(ctx) as s:
        deal = load_deal(s, ctx, deal_id, version)
        if write_values(s, ctx, FieldEntity.DEAL, deal.id, values):
            save_deal(s, ctx, deal, {})
        return deal.version


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
        drop_values(s, FieldEntity.DEAL, [deal.id])
        record_delete(s, ctx, deal, "deal")
