"""What the ready reports R1, R3, R6 and R7 share: the report currency and its
conversions, the period, the manager filter and the header notes.

Currency rule: an amount already in the report currency is summed as it is; amounts
in another currency are summed in SQL per currency and day (the day that amount is
dated: a deal's start, its close, a payment's date …), and each such sum is converted
at the rates of its day (``amount × rate(from) / rate(to)``, 40 digits, then half-up
to the kopeck). A day with no rate of its own uses the latest earlier rate, and the
report says so; a day with no rate on or before it is an error naming the rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.models import Currency
from qstui.domain.clock import today
from qstui.domain.deals import KOPECK
from qstui.domain.formatting import day as day_text
from qstui.domain.reports import ReportOptions
from qstui.i18n import _
from qstui.services.refbooks.currency import RateBook, UnknownCurrency, base_currency

ZERO = Decimal("0.00")


def kopecks(value: Decimal) -> Decimal:
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` in percent, two decimals; None when ``whole`` is zero."""
    if not whole:
        return None
    with localcontext() as c:
        c.prec = 40
        return kopecks(Decimal(part) * 100 / Decimal(whole))


def one_decimal(total: int | Decimal, count: int) -> Decimal | None:
    """``total / count`` to one decimal (days); None for no rows."""
    if not count:
        return None
    with localcontext() as c:
        c.prec = 40
        return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Converter:
    """Converts grouped sums into the report currency at the rates of their days and
    remembers the days that had to use an earlier rate."""

    def __init__(self, session: Session, target: str, needs: Iterable[tuple[str, date]]) -> None:
        self.target = target
        self.earlier: dict[str, set[date]] = {}
        wanted = list(needs)
        # the report currency is needed on every day another one is converted on
        self._book = RateBook.load(session, [*wanted, *((target, day) for _c, day in wanted)])
        self.base = self._book.base

    def rate(self, code: str, day: date) -> Decimal:
        code = code.upper()
        rate = self._book.rate(code, day)
        used = self._book.rate_day(code, day)
        if used is not None and used != day:
            self.earlier.setdefault(code, set()).add(day)
        return rate

    def convert(self, amount: Decimal | None, code: str, day: date) -> Decimal:
        amount = Decimal(amount or 0)
        if code.upper() == self.target:
            return kopecks(amount)
        with localcontext() as c:
            c.prec = 40
            value = amount * self.rate(code, day) / self.rate(self.target, day)
        return kopecks(value)

    def notes(self) -> list[str]:
        """One line per currency whose rates of some days were taken from earlier days."""
        lines = []
        for code, days in sorted(self.earlier.items()):
            ordered = sorted(days)
            lines.append(
                _(
                    "No rate of {code} on {count} day(s) ({first} … {last}): "
                    "the latest earlier rate was used"
                ).format(
                    code=code,
                    count=len(ordered),
                    first=day_text(ordered[0]),
                    last=day_text(ordered[-1]),
                )
            )
        return lines


def report_currency(session: Session, options: ReportOptions) -> str:
    """The currency the options ask for (known to the reference book), or the base."""
    if not options.currency:
        return base_currency(session)
    code = options.currency.strip().upper()
    if session.scalar(select(Currency.id).where(Currency.code == code)) is None:
        raise UnknownCurrency(code)
    return code


def dated_rule(what: str) -> str:
    """The header line saying how amounts in other currencies were converted."""
    return _(
        "Amounts in other currencies are converted at the rate of {what}, summed per "
        "currency and day, to the kopeck"
    ).format(what=what)


def period_or(options: ReportOptions, default: tuple[date, date]) -> tuple[date, date]:
    if options.period is None:
        return default
    start, end = options.period
    return (start, end) if start <= end else (end, start)


def month_to_date() -> tuple[date, date]:
    now = today()
    return date(now.year, now.month, 1), now


def year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_text(period: tuple[date, date]) -> str:
    return f"{day_text(period[0])} – {day_text(period[1])}"


def manager_filter(options: ReportOptions, column: Any) -> Any:
    """The condition of ``options.filters["manager"]`` (ids; None = no manager)."""
    chosen = options.filters.get("manager")
    if not chosen:
        return true()
    ids = [int(v) for v in chosen if v is not None]
    condition = column.in_(ids) if ids else None
    if None in chosen:
        return column.is_(None) if condition is None else (condition | column.is_(None))
    return condition


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def names_of(session: Session, model: Any, column: Any, ids: Iterable[int | None]) -> dict:
    """``id → name`` of the rows of ``model`` with these ids (None ids are skipped)."""
    found: dict[int | None, str] = {}
    for chunk in chunks(sorted({i for i in ids if i is not None})):
        for key, name in session.execute(select(model.id, column).where(id_in(model.id, chunk))):
            found[key] = name
    return found


def no_manager() -> str:
    return _("(no manager)")


def add_rows(target: dict[Any, list[Any]], rows: Iterable[Any], width: int) -> None:
    """Add grouped rows ``(*key, *numbers)`` (the last ``width`` are numbers) into
    ``target[key]`` — the results of one GROUP BY over several visibility parts."""
    for row in rows:
        key = tuple(row[: len(row) - width])
        numbers = row[len(row) - width :]
        found = target.setdefault(key, [0] * width)
        for index, value in enumerate(numbers):
            found[index] += value or 0
