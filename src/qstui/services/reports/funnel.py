"""R1 — the sales funnel of a pipeline (Воронка продаж), computed in the database.

One row per stage of the pipeline (``options.pipeline_id``, else the default one), in
stage order (inactive stages only when they still hold open deals):

- ``count``, ``amount``: the *open* deals now at the stage (their planned amount, in the
  report currency; a deal in another currency is converted at the rate of its start
  day); with a period, only the open deals *started in it*;
- ``weighted``: ``amount × stage probability / 100``, to the kopeck;
- ``conversion``: of the deals of the pipeline started in the period (every status, so
  won and lost deals count for the stages they passed), those that *reached* this
  stage ÷ those that reached the previous one, in percent. A deal reached a stage when
  it has a ``deal_stages`` row for it (moving forward writes a row for every stage
  passed, moving back deletes the rows ahead). None for the first stage and where
  nobody reached the previous stage;
- ``days``: the average days in the stage, ``done_on − started_on`` over the stage rows
  of those same deals that are done (a stage not yet left has no length yet).

Read from the reports' narrow copies of the deals and their stage rows
(``db.models.facts``, kept by the database's triggers).

Filters: ``options.filters["manager"]`` (deal managers), the period on the deal start.
Rights: ``funnel``; the deals are those the user sees (``visibility.deal_visible``).
Drill-down: ``drill`` lists the open deals behind count/amount/weighted and the deals
that reached the stage behind conversion/days.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qstui.db.models import DealFact, Pipeline, Stage, StageFact
from qstui.db.report_sql import days_between
from qstui.domain.clock import utcnow
from qstui.domain.enums import DealStatus
from qstui.domain.errors import NotFound
from qstui.domain.reports import (
    Column,
    ColumnKind,
    DrillKind,
    ReportOptions,
    ReportRow,
    ReportTable,
)
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.reports._in_currency import (
    ZERO,
    Converter,
    add_rows,
    dated_rule,
    kopecks,
    manager_filter,
    one_decimal,
    percent,
    period_text,
    report_currency,
)
from qstui.services.reports.engine import visibility_notes
from qstui.services.visibility import fact_visible

REPORT = "funnel"
OPEN_COLUMNS = ("count", "amount", "weighted")


def _columns() -> tuple[Column, ...]:
    return (
        Column("pipeline", _("Pipeline"), ColumnKind.TEXT, dimension=True),
        Column("stage", _("Stage"), ColumnKind.TEXT, dimension=True),
        Column("count", _("Open deals"), ColumnKind.COUNT),
        Column("amount", _("Amount"), ColumnKind.MONEY),
        Column("weighted", _("Weighted amount"), ColumnKind.MONEY),
        Column("conversion", _("Conversion, %"), ColumnKind.PERCENT),
        Column("days", _("Days in stage"), ColumnKind.DAYS),
    )


def _pipeline(s: Session, pipeline_id: int | None) -> Pipeline:
    if pipeline_id is not None:
        found = s.get(Pipeline, pipeline_id)
        if found is None:
            raise NotFound(_("Pipeline"), pipeline_id)
        return found
    found = s.scalar(
        select(Pipeline).order_by(Pipeline.is_default.desc(), Pipeline.sort_no, Pipeline.id)
    )
    if found is None:
        raise NotFound(_("Pipeline"), "")
    return found


def _deals_of(options: ReportOptions, pipeline_id: int, facts: Any, started: Any) -> list[Any]:
    """The conditions every number of the funnel shares (visibility apart), on the
    reports' copy of the deals or of their stage rows (``started``: its deal start)."""
    conditions = [facts.pipeline_id == pipeline_id, manager_filter(options, facts.manager_id)]
    if options.period is not None:
        start, end = sorted(options.period)
        conditions += [started >= start, started <= end]
    return conditions


def funnel_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R1 for ``ctx``: the stages of the chosen (or default) pipeline.

    Read from the narrow copies of the deals and their stage rows (``DealFact``,
    ``StageFact``): two passes, each one GROUP BY over one table."""
    ctx.require(R.FUNNEL)
    with ctx.db.reader() as s:
        found = _pipeline(s, options.pipeline_id)
        pipeline_id, pipeline_name = found.id, found.name
        currency = report_currency(s, options)
        stages = list(
            s.execute(
                select(Stage.id, Stage.name, Stage.probability, Stage.is_active)
                .where(Stage.pipeline_id == pipeline_id)
                .order_by(Stage.sort_no)
            )
        )
        # the open deals: amounts in the report currency summed per stage, others per
        # stage, currency and start day (``day`` is NULL for the former: a column of a
        # derived table, which Firebird can group by)
        same = DealFact.currency_code == currency
        money_rows = (
            select(
                DealFact.stage_id,
                DealFact.currency_code,
                case((~same, DealFact.started_on)).label("day"),
                DealFact.amount,
            )
            .where(
                *_deals_of(options, pipeline_id, DealFact, DealFact.started_on),
                DealFact.status == DealStatus.OPEN,
                fact_visible(ctx, DealFact),
            )
            .subquery("open_deals")
        )
        keys = (money_rows.c.stage_id, money_rows.c.currency_code, money_rows.c.day)
        opened: dict[Any, list[Any]] = {}
        add_rows(
            opened,
            s.execute(select(*keys, func.count(), func.sum(money_rows.c.amount)).group_by(*keys)),
            2,
        )
        # the stage rows of the pipeline's deals: reached, and the days of those done
        done = StageFact.done_on.isnot(None)
        reached: dict[Any, list[Any]] = {}
        add_rows(
            reached,
            s.execute(
                select(
                    StageFact.stage_id,
                    func.count(),
                    func.sum(case((done, days_between(StageFact.started_on, StageFact.done_on)))),
                    func.count(StageFact.done_on),
                )
                .where(
                    *_deals_of(options, pipeline_id, StageFact, StageFact.deal_started_on),
                    fact_visible(ctx, StageFact),
                )
                .group_by(StageFact.stage_id)
            ),
            3,
        )
        counts: dict[int, int] = {}
        exact: dict[int, Decimal] = {}
        for (stage_id, _code, day), (n, amount) in opened.items():
            counts[stage_id] = counts.get(stage_id, 0) + n
            if day is None:
                exact[stage_id] = exact.get(stage_id, ZERO) + amount
        money = {stage_id: kopecks(amount) for stage_id, amount in exact.items()}
        dated = [(key, amount) for key, (_n, amount) in opened.items() if key[2] is not None]
        rates = Converter(s, currency, [(code, day) for (_sid, code, day), _a in dated])
        for (stage_id, code, day), amount in dated:
            money[stage_id] = money.get(stage_id, ZERO) + rates.convert(amount, code, day)
        notes = [dated_rule(_("the deal's start day")), *rates.notes()]
        reached = {key[0]: values for key, values in reached.items()}
    rows = []
    totals: dict[str, Any] = {"count": 0, "amount": ZERO, "weighted": ZERO}
    previous: int | None = None
    first_reached: int | None = None
    last_reached = 0
    for stage_id, name, probability, active in stages:
        n = counts.get(stage_id, 0)
        if not active and not n:
            continue
        amount = money.get(stage_id, ZERO)
        weighted = kopecks(amount * Decimal(probability or 0) / 100)
        came, days, n_done = reached.get(stage_id, (0, 0, 0))
        conversion = None if previous is None else percent(came, previous)
        rows.append(
            ReportRow(
                values={
                    "pipeline": pipeline_name,
                    "stage": name,
                    "count": n,
                    "amount": amount,
                    "weighted": weighted,
                    "conversion": conversion,
                    "days": one_decimal(days, n_done),
                },
                keys={"pipeline": pipeline_id, "stage": stage_id},
            )
        )
        totals["count"] += n
        totals["amount"] += amount
        totals["weighted"] += weighted
        first_reached = came if first_reached is None else first_reached
        last_reached = came
        previous = came
    totals["conversion"] = percent(last_reached, first_reached or 0)
    notes += [
        _(
            "Conversion: deals started in the period that reached a stage ÷ those that "
            "reached the previous stage; total: the last stage ÷ the first"
        ),
        *visibility_notes(ctx),
    ]
    if options.period is not None:
        notes.append(_("Deals started {period}").format(period=period_text(options.period)))
    return ReportTable(
        report=REPORT,
        title=_("Sales funnel: {pipeline}").format(pipeline=pipeline_name),
        currency=currency,
        period=options.period,
        columns=_columns(),
        rows=tuple(rows),
        totals=totals,
        notes=tuple(notes),
        computed_at=utcnow(),
        spec=replace(options, pipeline_id=pipeline_id),
    )


def drill(
    ctx: Context, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, list[int]]:
    """The deals behind a number of the funnel: the open deals at the stage for
    count/amount/weighted, the deals that reached the stage for conversion/days."""
    ctx.require(R.FUNNEL)
    options: ReportOptions = table.spec
    stage_id = row.keys["stage"]
    with ctx.db.reader() as s:
        pipeline_id = row.keys["pipeline"]
        if column_key in ("conversion", "days"):
            query = select(StageFact.deal_id).where(
                *_deals_of(options, pipeline_id, StageFact, StageFact.deal_started_on),
                fact_visible(ctx, StageFact),
                StageFact.stage_id == stage_id,
            )
        else:
            query = select(DealFact.deal_id).where(
                *_deals_of(options, pipeline_id, DealFact, DealFact.started_on),
                fact_visible(ctx, DealFact),
                DealFact.status == DealStatus.OPEN,
                DealFact.stage_id == stage_id,
            )
        return DrillKind.DEALS, sorted(s.scalars(query))


__all__ = ["drill", "funnel_report"]
