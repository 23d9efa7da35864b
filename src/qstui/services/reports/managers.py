"""R3 — manager control (Контроль работы сотрудников; «Сравнительный анализ показателей
работы менеджеров»): per manager, the figures of a period beside the same period a year
earlier and the change (``x``, ``x_prev``, ``x_change`` = x − x_prev; percentage
points for the win rate).

- ``won_amount``, ``won_count``: deals won (``closed_on``) in the period; amounts in
  another currency are converted at the rate of the day the deal was won;
- ``win_rate``: won ÷ (won + lost) of the deals closed in the period, in percent;
- ``avg_days``: the average ``closed_on − started_on`` of the deals won in the period;
- ``open_deals``: deals open on the period's *as-of day* (its end, or today if that is
  earlier): started by then and not closed before the day after;
- ``overdue_deals``: of those, the ones whose planned end, or the deadline of the stage
  they were at that day (a ``deal_stages`` row started by then and not done), lies
  before the as-of day;
- ``events``: interactions done in the period (``event_at``, local days), counted from
  the hourly counts (``event_hours``, migration 0022).

The period is ``options.period``, by default the month to date (a head's weekly look).
The deals and interactions are read from the reports' narrow copies
(``db.models.facts``). Rows are the managers the user sees
(``visibility.owned_by_visible``: oneself, the department, or everybody including "no
manager") with their own deals and interactions; ``filters["manager"]`` narrows them.
Two long-format companions: ``manager_events_report`` (interactions per manager and
type) and ``manager_stages_report`` (clients per manager and the stage their open deals
were at on the as-of day), both with the year-earlier figures.
Rights: ``reports``. Drill-down: ``drill`` (deals or events behind a figure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from qstui.db import event_hours
from qstui.db.models import (
    AppUser,
    DealFact,
    EventFact,
    EventHour,
    EventType,
    Stage,
    StageFact,
)
from qstui.db.report_sql import days_between, grouping_column
from qstui.domain.clock import to_utc, today, utcnow
from qstui.domain.enums import DealStatus, EventStatus
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
    month_to_date,
    names_of,
    next_day,
    no_manager,
    one_decimal,
    percent,
    period_or,
    period_text,
    report_currency,
    year_earlier,
)
from qstui.services.visibility import owned_by_visible

REPORT = "managers"
MEASURES = (
    ("won_amount", ColumnKind.MONEY),
    ("won_count", ColumnKind.COUNT),
    ("win_rate", ColumnKind.PERCENT),
    ("avg_days", ColumnKind.DAYS),
    ("open_deals", ColumnKind.COUNT),
    ("overdue_deals", ColumnKind.COUNT),
    ("events", ColumnKind.COUNT),
)


@dataclass(frozen=True)
class Span:
    """A period and the day its open and overdue deals are counted on."""

    start: date
    end: date
    as_of: date

    @classmethod
    def of(cls, start: date, end: date) -> Span:
        return cls(start, end, min(end, today()))

    def earlier(self) -> Span:
        return Span(year_earlier(self.start), year_earlier(self.end), year_earlier(self.as_of))

    def utc(self) -> tuple[datetime, datetime]:
        return (
            to_utc(datetime.combine(self.start, time())),
            to_utc(datetime.combine(next_day(self.end), time())),
        )


def _titles() -> dict[str, str]:
    return {
        "won_amount": _("Won amount"),
        "won_count": _("Won deals"),
        "win_rate": _("Win rate, %"),
        "avg_days": _("Average deal length, days"),
        "open_deals": _("Open deals"),
        "overdue_deals": _("Overdue deals"),
        "events": _("Interactions"),
    }


def compared(key: str, title: str, kind: ColumnKind) -> tuple[Column, ...]:
    return (
        Column(key, title, kind),
        Column(f"{key}_prev", _("{title}, a year earlier").format(title=title), kind),
        Column(f"{key}_change", _("{title}, change").format(title=title), kind),
    )


def change(now: Any, before: Any) -> Any:
    if now is None or before is None:
        return None
    return now - before


def _spans(options: ReportOptions) -> tuple[Span, Span]:
    start, end = period_or(options, month_to_date())
    current = Span.of(start, end)
    return current, current.earlier()


def _mine(ctx: Context, options: ReportOptions, column: Any) -> list[Any]:
    return [owned_by_visible(ctx, column), manager_filter(options, column)]


def _closed(span: Span) -> Any:
    return and_(
        DealFact.status.in_([DealStatus.WON, DealStatus.LOST]),
        DealFact.closed_on >= span.start,
        DealFact.closed_on <= span.end,
    )


def _open_on(day: date) -> Any:
    return and_(
        DealFact.started_on <= day, or_(DealFact.closed_on.is_(None), DealFact.closed_on > day)
    )


def _late_on(day: date) -> Any:
    stage_late = exists().where(
        StageFact.deal_id == DealFact.deal_id,
        StageFact.due_on < day,
        StageFact.started_on <= day,
        or_(StageFact.done_on.is_(None), StageFact.done_on > day),
    )
    return or_(DealFact.planned_end_on < day, stage_late)


def _done_events(span: Span) -> Any:
    since, until = span.utc()
    return and_(
        EventFact.status == EventStatus.DONE,
        EventFact.event_at >= since,
        EventFact.event_at < until,
    )


def _figures(
    s: Session, ctx: Context, options: ReportOptions, span: Span, currency: str
) -> tuple[dict[int | None, dict[str, Any]], Converter]:
    mine = _mine(ctx, options, DealFact.manager_id)
    same = DealFact.currency_code == currency
    won = DealFact.status == DealStatus.WON
    found: dict[int | None, dict[str, Any]] = {}

    def at(manager_id: int | None) -> dict[str, Any]:
        return found.setdefault(
            manager_id,
            {"won": 0, "lost": 0, "amount": ZERO, "days": 0, "open": 0, "late": 0, "events": 0},
        )

    # one pass over the deals closed in the period: amounts in the report currency per
    # manager and status, others per currency and the day won too (``day`` is NULL for
    # the former: a column of a derived table, which Firebird can group by)
    closed = (
        select(
            DealFact.manager_id,
            DealFact.status,
            DealFact.currency_code,
            case((and_(won, ~same), DealFact.closed_on)).label("day"),
            DealFact.amount,
            days_between(DealFact.started_on, DealFact.closed_on).label("days"),
        )
        .where(*mine, _closed(span))
        .subquery("closed_deals")
    )
    keys = (closed.c.manager_id, closed.c.status, closed.c.currency_code, closed.c.day)
    grouped = s.execute(
        select(*keys, func.count(), func.sum(closed.c.amount), func.sum(closed.c.days)).group_by(
            *keys
        )
    ).all()
    rates = Converter(s, currency, [(row[2], row[3]) for row in grouped if row[3] is not None])
    exact: dict[int | None, Decimal] = {}
    for manager_id, status, code, day, n, amount, days in grouped:
        row = at(manager_id)
        if status != DealStatus.WON:
            row["lost"] += n
            continue
        row["won"] += n
        row["days"] += int(days or 0)
        if day is None:
            exact[manager_id] = exact.get(manager_id, ZERO) + amount
        else:
            row["amount"] += rates.convert(amount, code, day)
    for manager_id, amount in exact.items():
        at(manager_id)["amount"] += kopecks(amount)
    if span.as_of >= today():
        _open_and_late_now(s, mine, span.as_of, at)
    else:
        _open_and_late_then(s, mine, span.as_of, at)
    for (manager_id,), n in _done_counts(s, ctx, options, span, by_type=False).items():
        at(manager_id)["events"] = n
    return found, rates


def _done_counts(
    s: Session, ctx: Context, options: ReportOptions, span: Span, by_type: bool
) -> dict[tuple[int, ...], int]:
    """Interactions done in ``span`` per responsible (and type): the whole UTC hours
    inside it from the hourly counts (``event_hours``), the parts of an hour at its
    ends (a time zone whose midnight is not on the hour) from the interactions."""
    since, until = span.utc()
    first = since.replace(minute=0, second=0, microsecond=0)
    first += timedelta(hours=1) if first < since else timedelta()
    last = until.replace(minute=0, second=0, microsecond=0)
    counts: dict[Any, list[Any]] = {}

    def keys(table: Any) -> list[Any]:
        found = [grouping_column(table.responsible_id, "responsible_id")]
        return [*found, grouping_column(table.type_id, "type_id")] if by_type else found

    def events_between(start: datetime, end: datetime) -> None:
        columns = keys(EventFact)
        add_rows(
            counts,
            s.execute(
                select(*columns, func.count())
                .where(
                    *_mine(ctx, options, EventFact.responsible_id),
                    EventFact.status == EventStatus.DONE,
                    EventFact.event_at >= start,
                    EventFact.event_at < end,
                )
                .group_by(*columns)
            ),
            1,
        )

    if first >= last:
        events_between(since, until)
    else:
        columns = keys(EventHour)
        add_rows(
            counts,
            s.execute(
                select(*columns, func.sum(EventHour.done))
                .where(
                    *_mine(ctx, options, EventHour.responsible_id),
                    EventHour.at_hour >= first,
                    EventHour.at_hour < last,
                )
                .group_by(*columns)
            ),
            1,
        )
        if since < first:
            events_between(since, first)
        if last < until:
            events_between(last, until)
    return {key: int(n) for key, (n,) in counts.items() if n}


def _open_and_late_then(s: Session, mine: list[Any], day: date, at: Callable) -> None:
    """Open and overdue deals on a past day, in one pass over the deals started by then
    (a stage late then is looked up per deal, among its stage rows)."""
    manager = grouping_column(DealFact.manager_id, "manager_id")
    late = case((_late_on(day), 1), else_=0)
    for manager_id, n, n_late in s.execute(
        select(manager, func.count(), func.sum(late)).where(*mine, _open_on(day)).group_by(manager)
    ):
        at(manager_id).update(open=n, late=int(n_late or 0))


def _open_and_late_now(s: Session, mine: list[Any], day: date, at: Callable) -> None:
    """The same figures today, from what the deals keep now: open deals late by their
    planned end, plus those late only by their current stage — found from the
    late stage rows of open deals (``deal_open``, not done, deadline passed: an index
    range of the stage rows' copy) instead of a probe per deal."""
    manager = grouping_column(DealFact.manager_id, "manager_id")
    is_open = _open_on(day)
    late = case((DealFact.planned_end_on < day, 1), else_=0)
    for manager_id, n, n_late in s.execute(
        select(manager, func.count(), func.sum(late)).where(*mine, is_open).group_by(manager)
    ):
        at(manager_id).update(open=n, late=int(n_late or 0))
    for manager_id, n in s.execute(
        select(manager, func.count(DealFact.deal_id.distinct()))
        .select_from(StageFact)
        .join(DealFact, DealFact.deal_id == StageFact.deal_id)
        .where(
            *mine,
            is_open,
            or_(DealFact.planned_end_on.is_(None), DealFact.planned_end_on >= day),
            StageFact.deal_open.is_(True),
            StageFact.done_on.is_(None),
            StageFact.due_on < day,
            StageFact.started_on <= day,
        )
        .group_by(manager)
    ):
        at(manager_id)["late"] += n


def _values(raw: dict[str, Any] | None) -> dict[str, Any]:
    raw = raw or {"won": 0, "lost": 0, "amount": ZERO, "days": 0, "open": 0, "late": 0, "events": 0}
    return {
        "won_amount": raw["amount"],
        "won_count": raw["won"],
        "win_rate": percent(raw["won"], raw["won"] + raw["lost"]),
        "avg_days": one_decimal(raw["days"], raw["won"]),
        "open_deals": raw["open"],
        "overdue_deals": raw["late"],
        "events": raw["events"],
    }


def managers_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """R3 for ``ctx``: the visible managers' figures beside a year earlier."""
    ctx.require(R.REPORTS)
    current, earlier = _spans(options)
    # Firebird: the hourly counts' rows of ±1 folded first, in a transaction of its
    # own, so that the reading one sees fewer rows
    event_hours.merge(ctx.db)
    with ctx.db.reader() as s:
        currency = report_currency(s, options)
        now, rates_now = _figures(s, ctx, options, current, currency)
        before, rates_before = _figures(s, ctx, options, earlier, currency)
        names = names_of(s, AppUser, AppUser.full_name, [*now, *before])
    titles = _titles()
    columns = [Column("manager", _("Manager"), ColumnKind.TEXT, dimension=True)]
    for key, kind in MEASURES:
        columns += compared(key, titles[key], kind)
    rows = []
    unnamed = no_manager()
    for manager_id in sorted(set(now) | set(before), key=lambda m: (names.get(m, unnamed), m or 0)):
        this, prev = _values(now.get(manager_id)), _values(before.get(manager_id))
        values: dict[str, Any] = {"manager": names.get(manager_id, unnamed)}
        for key, _kind in MEASURES:
            values[key] = this[key]
            values[f"{key}_prev"] = prev[key]
            values[f"{key}_change"] = change(this[key], prev[key])
        rows.append(ReportRow(values=values, keys={"manager": manager_id}))
    totals: dict[str, Any] = {}
    for key in ("won_amount", "won_count", "open_deals", "overdue_deals", "events"):
        for suffix in ("", "_prev"):
            start = ZERO if key == "won_amount" else 0
            totals[key + suffix] = sum((r.values[key + suffix] for r in rows), start)
        totals[f"{key}_change"] = totals[key] - totals[f"{key}_prev"]
    notes = [
        _("Period {period}, compared with {earlier}").format(
            period=period_text((current.start, current.end)),
            earlier=period_text((earlier.start, earlier.end)),
        ),
        _("Open and overdue deals on {day} and on {earlier}").format(
            day=current.as_of.strftime("%d.%m.%Y"), earlier=earlier.as_of.strftime("%d.%m.%Y")
        ),
        dated_rule(_("the day the deal was won")),
        *rates_now.notes(),
        *rates_before.notes(),
        *_own_note(ctx),
    ]
    return ReportTable(
        report=REPORT,
        title=_("Manager control"),
        currency=currency,
        period=(current.start, current.end),
        columns=tuple(columns),
        rows=tuple(rows),
        totals=totals,
        notes=tuple(dict.fromkeys(notes)),
        computed_at=utcnow(),
        spec=options,
    )


def _own_note(ctx: Context) -> list[str]:
    if ctx.has(R.SEE_ALL):
        return []
    if ctx.has(R.SEE_DEPARTMENT) and ctx.department_id is not None:
        return [_("Only the managers of your department, with their own deals")]
    return [_("Only your own deals and interactions")]


# --- the long-format companions -----------------------------------------------------------


def manager_events_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """Interactions done in the period per manager and interaction type, beside a year
    earlier (report ``managers_events``)."""
    ctx.require(R.REPORTS)
    current, earlier = _spans(options)
    counts: dict[tuple[int | None, int], list[int]] = {}
    # Firebird: the hourly counts' rows of ±1 folded first, in a transaction of its
    # own, so that the reading one sees fewer rows
    event_hours.merge(ctx.db)
    with ctx.db.reader() as s:
        for index, span in enumerate((current, earlier)):
            for (manager_id, type_id), n in _done_counts(
                s, ctx, options, span, by_type=True
            ).items():
                counts.setdefault((manager_id, type_id), [0, 0])[index] = n
        names = names_of(s, AppUser, AppUser.full_name, (m for m, _t in counts))
        types = names_of(s, EventType, EventType.name, (t for _m, t in counts))
    return _pairs(
        "managers_events",
        _("Interactions by manager and type"),
        ("event_type", _("Interaction type")),
        ("events", _("Interactions")),
        counts,
        names,
        types,
        (current, earlier),
        options,
    )


def manager_stages_report(ctx: Context, options: ReportOptions) -> ReportTable:
    """Clients per manager and stage: the distinct clients of the manager's deals open on
    the as-of day, by the stage each deal was at that day, beside a year earlier (report
    ``managers_stages``)."""
    ctx.require(R.REPORTS)
    current, earlier = _spans(options)
    counts: dict[tuple[int | None, int], list[int]] = {}
    with ctx.db.reader() as s:
        for index, span in enumerate((current, earlier)):
            day = span.as_of
            for manager_id, stage_id, n in s.execute(
                select(
                    DealFact.manager_id,
                    StageFact.stage_id,
                    func.count(DealFact.company_id.distinct()),
                )
                .join(StageFact, StageFact.deal_id == DealFact.deal_id)
                .where(
                    *_mine(ctx, options, DealFact.manager_id),
                    _open_on(day),
                    StageFact.started_on <= day,
                    or_(StageFact.done_on.is_(None), StageFact.done_on > day),
                )
                .group_by(DealFact.manager_id, StageFact.stage_id)
            ):
                counts.setdefault((manager_id, stage_id), [0, 0])[index] = n
        names = names_of(s, AppUser, AppUser.full_name, (m for m, _t in counts))
        stages = names_of(s, Stage, Stage.name, (t for _m, t in counts))
    return _pairs(
        "managers_stages",
        _("Clients by manager and stage"),
        ("stage", _("Stage")),
        ("clients", _("Clients")),
        counts,
        names,
        stages,
        (current, earlier),
        options,
    )


def _pairs(
    report: str,
    title: str,
    dimension: tuple[str, str],
    measure: tuple[str, str],
    counts: dict[tuple[int | None, int], list[int]],
    names: dict[Any, str],
    labels: dict[Any, str],
    spans: tuple[Span, Span],
    options: ReportOptions,
) -> ReportTable:
    key, label = dimension
    value, value_title = measure
    unnamed = no_manager()
    rows = []
    for (manager_id, item), (n, before) in sorted(
        counts.items(), key=lambda kv: (names.get(kv[0][0], unnamed), kv[0][1])
    ):
        rows.append(
            ReportRow(
                values={
                    "manager": names.get(manager_id, unnamed),
                    key: labels.get(item, ""),
                    value: n,
                    f"{value}_prev": before,
                    f"{value}_change": n - before,
                },
                keys={"manager": manager_id, key: item},
            )
        )
    totals = {value: sum(n for n, _b in counts.values())}
    totals[f"{value}_prev"] = sum(b for _n, b in counts.values())
    totals[f"{value}_change"] = totals[value] - totals[f"{value}_prev"]
    current, earlier = spans
    return ReportTable(
        report=report,
        title=title,
        currency="",
        period=(current.start, current.end),
        columns=(
            Column("manager", _("Manager"), ColumnKind.TEXT, dimension=True),
            Column(key, label, ColumnKind.TEXT, dimension=True),
            *compared(value, value_title, ColumnKind.COUNT),
        ),
        rows=tuple(rows),
        totals=totals,
        notes=(
            _("Period {period}, compared with {earlier}").format(
                period=period_text((current.start, current.end)),
                earlier=period_text((earlier.start, earlier.end)),
            ),
        ),
        computed_at=utcnow(),
        spec=options,
    )


# --- drill-down ----------------------------------------------------------------------------

_DEALS: dict[str, Callable[[Span], Any]] = {
    "won_amount": lambda span: and_(_closed(span), DealFact.status == DealStatus.WON),
    "won_count": lambda span: and_(_closed(span), DealFact.status == DealStatus.WON),
    "avg_days": lambda span: and_(_closed(span), DealFact.status == DealStatus.WON),
    "win_rate": _closed,
    "open_deals": lambda span: _open_on(span.as_of),
    "overdue_deals": lambda span: and_(_open_on(span.as_of), _late_on(span.as_of)),
}


def drill(
    ctx: Context, table: ReportTable, row: ReportRow, column_key: str
) -> tuple[DrillKind, list[int]]:
    """The deals (or events, or clients) behind a figure of R3 or its companions; a
    ``…_prev`` column lists those of the year-earlier period."""
    ctx.require(R.REPORTS)
    options: ReportOptions = table.spec
    current, earlier = _spans(options)
    base = column_key.removesuffix("_change").removesuffix("_prev")
    span = earlier if column_key.endswith("_prev") else current
    manager_id = row.keys["manager"]
    with ctx.db.reader() as s:
        if table.report == "managers_stages":
            day = span.as_of
            query = (
                select(DealFact.company_id.distinct())
                .join(StageFact, StageFact.deal_id == DealFact.deal_id)
                .where(
                    *_who(ctx, options, DealFact.manager_id, manager_id),
                    _open_on(day),
                    StageFact.stage_id == row.keys["stage"],
                    StageFact.started_on <= day,
                    or_(StageFact.done_on.is_(None), StageFact.done_on > day),
                )
            )
            return DrillKind.CLIENTS, sorted(s.scalars(query))
        if base == "events":
            query = select(EventFact.id).where(
                *_who(ctx, options, EventFact.responsible_id, manager_id), _done_events(span)
            )
            if "event_type" in row.keys:
                query = query.where(EventFact.type_id == row.keys["event_type"])
            return DrillKind.EVENTS, list(s.scalars(query.order_by(EventFact.id)))
        condition = _DEALS[base](span)
        query = select(DealFact.deal_id).where(
            *_who(ctx, options, DealFact.manager_id, manager_id), condition
        )
        return DrillKind.DEALS, list(s.scalars(query.order_by(DealFact.deal_id)))


def _who(ctx: Context, options: ReportOptions, column: Any, manager_id: int | None) -> list[Any]:
    one = column.is_(None) if manager_id is None else column == manager_id
    return [*_mine(ctx, options, column), one]


__all__ = ["drill", "manager_events_report", "manager_stages_report", "managers_report"]
