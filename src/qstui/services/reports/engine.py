"""The report engine (R2): a ``ReportSpec`` computed with ``GROUP BY`` in the database
(never by reading the facts into Python), its money converted to the report currency
and its dimension ids named.

Money in another currency than the report's is summed per (group, currency, day) in SQL
and each such sum is converted at the rate of its own day — the latest rate on or
before it (``services.refbooks.currency.RateBook``) — then rounded to the kopeck; the
report's notes say so, and name the days that had no rate of their own.

``aggregate`` gives the numbers by group; ``tables.run_report`` makes the table of a custom
report; the ready reports (``ready``) combine several aggregates in one table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, case, cast, func, literal_column, null, select
from sqlalchemy.orm import Session

from qstui.domain.deals import KOPECK
from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import day as day_text
from qstui.domain.report_spec import (
    DIMENSION_LABELS,
    MAX_DIMENSIONS,
    MONEY_MEASURES,
    Measure,
    ReportSpec,
)
from qstui.domain.reports import Dynamics
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.refbooks.currency import RateBook, UnknownCurrency, base_currency
from qstui.services.refbooks.currency import known_currencies as _known
from qstui.services.reports.facts import build
from qstui.services.reports.labels import dimension_labels
from qstui.services.reports.periods import bucket, bucket_start, local_offset_minutes
from qstui.services.visibility import sees_all, visible_user_ids

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
Key = tuple[Any, ...]  # the dimension ids, then the bucket start


@dataclass
class Aggregate:
    """The numbers of one spec: ``values[key]`` by group (dimension ids in the spec's
    order, then the bucket's first day when there are dynamics)."""

    spec: ReportSpec
    currency: str
    values: dict[Key, Any]
    labels: dict[str, dict[Any, str]]  # dimension → id → shown name
    notes: list[str] = field(default_factory=list)
    multiplied: bool = False  # a fact may be in several rows: totals are not sums
    # money measures: how many facts each sum is made of (the same query counts them)
    counts: dict[Key, int] = field(default_factory=dict)

    @property
    def money(self) -> bool:
        return self.spec.measure in MONEY_MEASURES


def check_spec(spec: ReportSpec) -> None:
    if len(spec.dimensions) > MAX_DIMENSIONS:
        raise ValidationFailed({"dimensions": _("A report has at most two dimensions")})
    if len(set(spec.dimensions)) != len(spec.dimensions):
        raise ValidationFailed({"dimensions": _("A dimension is chosen twice")})
    for name in (*spec.dimensions, *spec.filters):
        if name not in DIMENSION_LABELS:
            raise ValidationFailed({"dimensions": _("Unknown dimension {name}").format(name=name)})
    if spec.period is not None and spec.period[0] > spec.period[1]:
        raise ValidationFailed({"period": _("The period ends before it begins")})


def report_currency(s: Session, spec: ReportSpec) -> str:
    code = (spec.currency or base_currency(s)).strip().upper()
    if code not in _known(s):
        raise UnknownCurrency(code)
    return code


def aggregate(ctx: Context, spec: ReportSpec) -> Aggregate:
    """The numbers of ``spec`` by group, as ``ctx`` may see them; needs ``reports``."""
    ctx.require(R.REPORTS)
    check_spec(spec)
    names = tuple(dict.fromkeys((*spec.dimensions, *spec.filters)))
    facts = build(ctx, spec, names)
    groups = [facts.dims[n].label(f"d{i}") for i, n in enumerate(spec.dimensions)]
    if spec.dynamics is not Dynamics.NONE:
        offset = local_offset_minutes(spec.period) if facts.timestamp else 0
        groups.append(bucket(facts.date, spec.dynamics, offset).label("b"))
    notes: list[str] = []
    counts: dict[Key, int] = defaultdict(int)
    counted = facts.count_of.distinct() if facts.multiplied else facts.count_of
    with ctx.db.reader() as s:
        currency = report_currency(s, spec)
        if spec.measure in MONEY_MEASURES:
            values = _money(s, spec, facts, groups, currency, notes, counts)
        else:
            query = (
                select(*groups, func.count(counted))
                .select_from(facts.from_)
                .where(*facts.where)
                .group_by(*groups)
            )
            values = {_key(row[:-1], spec): int(row[-1]) for row in s.execute(query)}
        labels = {
            name: dimension_labels(s, name, {key[i] for key in values})
            for i, name in enumerate(spec.dimensions)
        }
    notes.extend(visibility_notes(ctx))
    return Aggregate(spec, currency, values, labels, notes, facts.multiplied, dict(counts))


def _key(row: Any, spec: ReportSpec) -> Key:
    key = list(row)
    if spec.dynamics is not Dynamics.NONE:
        key[-1] = bucket_start(key[-1], spec.dynamics)
    return tuple(key)


def _money(
    s: Session,
    spec: ReportSpec,
    facts: Any,
    groups: list[Any],
    currency: str,
    notes: list[str],
    counts: dict[Key, int],
) -> dict[Key, Decimal]:
    """Sums (and, into ``counts``, the number of facts) by group in ``currency``, in one
    pass: grouped by currency too, and by day where the currency is another one (the
    day of an amount in ``currency`` is a NULL, so it is one sum per group)."""
    width = len(groups)
    # ``currency`` is a known code of 3 letters (``report_currency``): a literal, so the
    # CASE of the select list and of the GROUP BY are the same text on Firebird
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise UnknownCurrency(currency)
    own = facts.currency == literal_column(f"'{currency}'")
    day = case((own, cast(null(), Date)), else_=facts.date)
    total = func.sum(facts.amount)
    # a fact has one currency and one day, so counts per (currency, day) add up exactly
    many = func.count(facts.count_of.distinct() if facts.multiplied else facts.count_of)
    query = (
        select(*groups, facts.currency.label("cur"), day.label("day"), total, many)
        .select_from(facts.from_)
        .where(*facts.where)
        .group_by(*groups, facts.currency, day)
    )
    found = s.execute(query).all()
    rates = RateBook.load(
        s,
        [pair for r in found if r.day is not None for pair in ((r.cur, r.day), (currency, r.day))],
    )
    values: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    weighted = spec.measure is Measure.WEIGHTED
    earlier: dict[str, set[date]] = defaultdict(set)
    for row in found:
        amount = _weigh(row[width + 2], weighted)
        key = _key(row[:width], spec)
        counts[key] += int(row[width + 3])
        if row.day is None:  # in the report currency: summed exactly, rounded once
            values[key] += _kopecks(amount)
            continue
        values[key] += rates.convert(amount, row.cur, currency, row.day)
        for c in (row.cur, currency):
            used = rates.rate_day(c, row.day)
            if used is not None and used != row.day:
                earlier[c.upper()].add(row.day)
    notes.append(currency_rule(spec.measure, currency))
    for c, days in sorted(earlier.items()):
        notes.append(earlier_rate_note(c, days))
    return dict(values)


def _weigh(amount: Any, weighted: bool) -> Decimal:
    value = Decimal(amount or 0)
    return value / HUNDRED if weighted else value


def _kopecks(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def currency_rule(measure: Measure, currency: str) -> str:
    rate_day = {
        Measure.WON: _("the day the deal was won"),
        Measure.LOST: _("the day the deal was lost"),
        Measure.PAID: _("the payment date"),
        Measure.INVOICED: _("the invoice date"),
        Measure.PLANNED: _("the deal start"),
        Measure.WEIGHTED: _("the deal start"),
    }[measure]
    return _(
        "Money in {currency}: each amount in another currency is converted at the rate of "
        "{rate_day} (the latest rate on or before that day), summed per day, to the kopeck"
    ).format(currency=currency, rate_day=rate_day)


MAX_LISTED_DAYS = 5


def earlier_rate_note(code: str, days: set[date]) -> str:
    shown = ", ".join(day_text(d) for d in sorted(days)[:MAX_LISTED_DAYS])
    if len(days) > MAX_LISTED_DAYS:
        shown += " " + _("and {count} more").format(count=len(days) - MAX_LISTED_DAYS)
    return _("No rate of {code} on {days}: the latest earlier rate was used").format(
        code=code, days=shown
    )


def visibility_notes(ctx: Context) -> list[str]:
    """What part of the base the report covers, when it is not all of it."""
    if sees_all(ctx):
        return []
    ids = visible_user_ids(ctx)
    if ids and len(ids) > 1:
        return [_("Only the clients and deals of your department")]
    return [_("Only your clients and deals")]
