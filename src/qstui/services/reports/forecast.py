"""R7 — the forecast (Прогноз объемов продаж): expected money and new clients by month.

Months: those of ``options.period``, by default the current month and the five after.

- ``deals_expected``: the open deals expected to close in the month (by
  ``planned_end_on``), weighted by the probability of their current stage: per month,
  currency and probability the planned amounts are summed in SQL, converted at today's
  rate (the latest known: a future day has none of its own) to the kopeck, then
  multiplied by ``probability / 100`` and rounded to the kopeck;
- ``payments_planned``: planned payments (``pay_kind`` planned) by ``pay_date``, summed
  per month and currency and converted the same way;
- ``inflow``: the sum of the two (a planned payment of an open deal is money the
  deal's weighted amount also expects: both are shown, as Quick Sales does);
- Deals and payments dated before the first month (late) or deals with no planned end
  count in the first month; those after the last month are left out.
- ``new_clients``: the trend of new clients — the visible companies created (UTC
  month of ``created_at``) in each of the 12 full months before the current one, fitted
  by least squares ``y = a + b·x`` (x = 0 … 11, oldest first; missing months count 0);
  a month k months after the last of them (the current month is x = 12) expects
  ``max(0, a + b·x)`` clients, rounded half up.

Rights: ``reports``; the deals the user sees (``visibility.deal_visible``), payments of
visible deals (or, without a deal, of visible clients), visible companies;
``filters["manager"]`` narrows deals, payments and clients by their manager.
Drill-down: ``drill`` lists the deals behind a month's money.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, extract, func, or_, select
from sqlalchemy.orm import Session

from qstui.db.models import Company, Deal, DealFact, Payment, Stage
from qstui.domain.clock import today, utcnow
from qstui.domain.enums import DealStatus, PaymentKind
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
    kopecks,
    manager_filter,
    report_currency,
)
from qstui.services.reports.engine import visibility_notes
from qstui.services.visibility import company_visible, deal_visible, fact_visible

REPORT = "forecast"
HISTORY = 12  # months of new clients the trend is fitted to
DEFAULT_MONTHS = 6


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def months_of(options: ReportOptions) -> list[date]:
    if options.period is None:
        first = month_of(today())
        return [add_months(first, n) for n in range(DEFAULT_MONTHS)]
    start, end = sorted(options.period)
    months = [month_of(start)]
    while months[-1] < month_of(end):
        months.append(add_months(months[-1], 1))
    return months


def trend(counts: list[int]) -> tuple[Fraction, Fraction]:
    """``a, b`` of the least-squares line through ``(x, counts[x])``."""
    n = len(counts)
    mean_x = Fraction(n - 1, 2)
    mean_y = Fraction(sum(counts), n)
    spread = sum((x - mean_x) ** 2 for x in range(n))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(counts)) / spread
    return mean_y - slope * mean_x, slope


def half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)).__floor__()) if value >= 0 else 0


def _columns() -> tuple[Column, ...]:
    return (
        Column("month", _("Month"), ColumnKind.TEXT, dimension=True),
        Column("deals_expected", _("Open deals, weighted"), ColumnKind.MONEY),
        Column("payments_planned", _("Planned payments"), ColumnKind.MONEY),
        Column("inflow", _("Expected inflow"), ColumnKind.MONEY),
        Column("new_clients", _("Expected new clients"), ColumnKind.COUNT),
    )


def _payment_scope(ctx: Context, options: ReportOptions) -> Any:
    of_deal = exists().where(
        Deal.id == Payment.deal_id, deal_visible(ctx), manager_filter(options, Deal.manager_id)
    )
    of_client = exists().where(
        Company.id == Payment.company_id,
        company_visible(ctx),
        manager_filter(options, Company.manager_id),
    )
    return or_(
        and_(Payment.deal_id.isnot(None), of_deal), and_(Payment.deal_id.is_(None), of_client)
    )


def _bucket(months: list[date], year: int | None, month: int | None) -> date | None:
    """The report month a (year, month) of a date counts in (None: left out)."""
    if year is None:
        return months[0]
    found = max(months[0], date(int(year), int(month or 1), 1))
    return found if found <= months[-1] else None


def _new_clients(s: Session, ctx: Context, options: ReportOptions, months: list[date]) -> dict:
    current = month_of(today())
    first = add_months(current, -HISTORY)
    year = extract("year", Company.created_at)
    month = extract("month", Company.created_at)
    counts = [0] * HISTORY
    for y, m, n in s.execute(
        select(year, month, func.count())
        .where(
            company_visible(ctx),
            manager_filter(options, Company.manager_id),
            Company.created_at >= datetime.combine(first, time()),
            Company.created_at < datetime.combine(current, time()),
        )
        .group_by(year, month)
    ):
        counts[(int(y) - first.year) * 12 + int(m) - first.month] = n
    a, b = trend(counts)
    return {
        month: half_up(
            a + b * (HISTORY + (month.year - current.year) * 12 + month.month - current.month)
        )
        for month in months
    }


def forecast_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R7 for ``ctx``: expected inflows and new clients per month."""
    ctx.require(R.REPORTS)
    months = months_of(options)
    last_day = add_months(months[-1], 1)
    on = today()
    with ctx.db.reader() as s:
        currency = report_currency(s, options)
        year = extract("year", DealFact.planned_end_on)
        month = extract("month", DealFact.planned_end_on)
        deals: dict[Any, list[Any]] = {}
        query = (
            select(
                Stage.probability, DealFact.currency_code, year, month, func.sum(DealFact.amount)
            )
            .join(Stage, Stage.id == DealFact.stage_id)
            .where(
                DealFact.status == DealStatus.OPEN,
                manager_filter(options, DealFact.manager_id),
                or_(DealFact.planned_end_on.is_(None), DealFact.planned_end_on < last_day),
                fact_visible(ctx, DealFact),
            )
            .group_by(Stage.probability, DealFact.currency_code, year, month)
        )
        add_rows(deals, s.execute(query), 1)
        pay_year, pay_month = extract("year", Payment.pay_date), extract("month", Payment.pay_date)
        payments = s.execute(
            select(Payment.currency_code, pay_year, pay_month, func.sum(Payment.amount))
            .where(
                Payment.pay_kind == PaymentKind.PLANNED,
                Payment.pay_date < last_day,
                _payment_scope(ctx, options),
            )
            .group_by(Payment.currency_code, pay_year, pay_month)
        ).all()
        needs = [(currency, on), *((k[1], on) for k in deals), *((p[0], on) for p in payments)]
        rates = Converter(s, currency, needs)
        # the exact sums per (month, currency, probability) first, converted once each
        per_month: dict[tuple[date, str, int], Decimal] = {}
        for (probability, code, y, m), (amount,) in deals.items():
            bucket = _bucket(months, y, m)
            if bucket is not None:
                key = (bucket, code, int(probability or 0))
                per_month[key] = per_month.get(key, Decimal(0)) + Decimal(amount or 0)
        expected = dict.fromkeys(months, ZERO)
        for (bucket, code, probability), amount in per_month.items():
            value = rates.convert(amount, code, on)
            expected[bucket] += kopecks(value * probability / 100)
        paid_sums: dict[tuple[date, str], Decimal] = {}
        for code, y, m, amount in payments:
            bucket = _bucket(months, y, m)
            if bucket is not None:
                paid_sums[(bucket, code)] = paid_sums.get((bucket, code), Decimal(0)) + amount
        planned = dict.fromkeys(months, ZERO)
        for (bucket, code), amount in paid_sums.items():
            planned[bucket] += rates.convert(amount, code, on)
        clients = _new_clients(s, ctx, options, months)
    rows = []
    for month in months:
        values = {
            "month": f"{month:%Y-%m}",
            "deals_expected": expected[month],
            "payments_planned": planned[month],
            "inflow": expected[month] + planned[month],
            "new_clients": clients[month],
        }
        rows.append(ReportRow(values=values, keys={"month": month}))
    totals = {
        key: sum((r.values[key] for r in rows), ZERO if key != "new_clients" else 0)
        for key in ("deals_expected", "payments_planned", "inflow", "new_clients")
    }
    notes = [
        _(
            "Open deals by planned end, weighted by the stage probability, plus planned "
            "payments by date; late ones count in the first month"
        ),
        _("Amounts in other currencies are converted at today's rate"),
        _("New clients: a linear trend of the clients created in the last 12 full months"),
        *rates.notes(),
        *visibility_notes(ctx),
    ]
    return ReportTable(
        report=REPORT,
        title=_("Sales forecast"),
        currency=currency,
        period=(months[0], last_day - timedelta(days=1)),
        columns=_columns(),
        rows=tuple(rows),
        totals=totals,
        notes=tuple(notes),
        computed_at=utcnow(),
        spec=options,
    )


def drill(
    ctx: Context, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, list[int]]:
    """The deals behind a month: the open deals expected then (``deals_expected``), the
    deals of its planned payments (``payments_planned``), both for ``inflow``; the new
    clients of a forecast month are not yet known (an empty list)."""
    ctx.require(R.REPORTS)
    options: ReportOptions = table.spec
    months = months_of(options)
    month: date = row.keys["month"]
    start = None if month == months[0] else month
    end = add_months(month, 1)
    ids: set[int] = set()
    if column_key == "new_clients":
        return DrillKind.CLIENTS, []
    with ctx.db.reader() as s:
        if column_key in ("deals_expected", "inflow"):
            when = Deal.planned_end_on < end
            if start is not None:
                when = and_(Deal.planned_end_on >= start, when)
            else:
                when = or_(Deal.planned_end_on.is_(None), when)
            ids |= set(
                s.scalars(
                    select(Deal.id).where(
                        Deal.status == DealStatus.OPEN,
                        Deal.stage_id.isnot(None),
                        deal_visible(ctx),
                        manager_filter(options, Deal.manager_id),
                        when,
                    )
                )
            )
        if column_key in ("payments_planned", "inflow"):
            when = Payment.pay_date < end
            if start is not None:
                when = and_(Payment.pay_date >= start, when)
            ids |= {
                i
                for i in s.scalars(
                    select(Payment.deal_id).where(
                        Payment.pay_kind == PaymentKind.PLANNED,
                        _payment_scope(ctx, options),
                        when,
                    )
                )
                if i is not None
            }
    return DrillKind.DEALS, sorted(ids)


__all__ = ["drill", "forecast_report"]
