"""Currencies and rates (E8): any number of currencies, a daily rate for each, and
conversion between any two at the rate of a day.

A rate is stored as units of the base currency (RUB) for ``nominal`` units of a
currency on a day; the rate *on* a day is the one of the latest date on or before it.
The base currency has rate 1. Conversions are quantized to kopecks (half up).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui.db.models import Currency, CurrencyRate
from qstui.domain.deals import KOPECK, CurrencyInfo, RateInfo
from qstui.domain.errors import NotFound, ServiceError, ValidationFailed
from qstui.domain.formatting import day as day_text
from qstui.domain.text import one_line
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import apply_changes, record_create, writing

DEFAULT_BASE = "RUB"
MAX_RATE = Decimal("999999999999.999999")  # NUMERIC(18, 6)


class MissingRate(ServiceError):
    """No rate of a currency is known on or before a day."""

    def __init__(self, code: str, on: date) -> None:
        super().__init__(
            _(
                "No rate of {code} on or before {day}: enter the rate in the "
                "currencies reference book"
            ).format(code=code, day=day_text(on))
        )
        self.code = code
        self.on = on


class UnknownCurrency(ServiceError):
    def __init__(self, code: str) -> None:
        super().__init__(_("Unknown currency {code}").format(code=code))
        self.code = code


def base_currency(session: Session) -> str:
    """The code of the base (accounting) currency; RUB when none is marked."""
    code = session.scalar(select(Currency.code).where(Currency.is_base.is_(True)).limit(1))
    return code or DEFAULT_BASE


def known_currencies(session: Session) -> set[str]:
    return set(session.scalars(select(Currency.code)))


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def rate_on(session: Session, code: str, day: date) -> Decimal:
    """Units of the base currency per 1 unit of ``code`` on ``day``."""
    code = (code or "").upper()
    if code == base_currency(session):
        return Decimal(1)
    row = session.execute(
        select(CurrencyRate.rate, CurrencyRate.nominal)
        .where(CurrencyRate.currency_code == code, CurrencyRate.rate_date <= day)
        .order_by(CurrencyRate.rate_date.desc())
        .limit(1)
    ).first()
    if row is None:
        if session.scalar(select(Currency.id).where(Currency.code == code)) is None:
            raise UnknownCurrency(code)
        raise MissingRate(code, day)
    return _per_unit(row.rate, row.nominal)


def _per_unit(rate: Decimal, nominal: int | None) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(rate) / Decimal(nominal or 1)


def convert(session: Session, amount: Decimal, from_code: str, to_code: str, day: date) -> Decimal:
    """``amount`` of ``from_code`` in ``to_code`` at the rates of ``day``, to kopecks."""
    if (from_code or "").upper() == (to_code or "").upper():
        return _quantize(Decimal(amount))
    return _convert(
        Decimal(amount), rate_on(session, from_code, day), rate_on(session, to_code, day)
    )


def _convert(amount: Decimal, from_rate: Decimal, to_rate: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return _quantize(amount * from_rate / to_rate)


class RateBook:
    """Rates of a few currencies loaded in one query, for converting many amounts
    (a deal's payments, a client's deals) without a round trip each."""

    def __init__(self, base: str, series: dict[str, tuple[list[date], list[Decimal]]]) -> None:
        self.base = base
        self._series = series

    @classmethod
    def load(cls, session: Session, needs: Iterable[tuple[str, date]]) -> RateBook:
        """Rates for converting currency ``code`` on ``day`` for every pair of ``needs``."""
        base = base_currency(session)
        span: dict[str, tuple[date, date]] = {}  # code -> (earliest, latest) day needed
        for code, on in needs:
            code = code.upper()
            if code != base:
                first, last = span.get(code, (on, on))
                span[code] = (min(first, on), max(last, on))
        series: dict[str, tuple[list[date], list[Decimal]]] = {}
        for code, (earliest, until) in span.items():
            # from the rate in force on the earliest day, not the whole history
            since = (
                select(func.max(CurrencyRate.rate_date))
                .where(CurrencyRate.currency_code == code, CurrencyRate.rate_date <= earliest)
                .scalar_subquery()
            )
            rows = session.execute(
                select(CurrencyRate.rate_date, CurrencyRate.rate, CurrencyRate.nominal)
                .where(
                    CurrencyRate.currency_code == code,
                    CurrencyRate.rate_date <= until,
                    CurrencyRate.rate_date >= func.coalesce(since, earliest),
                )
                .order_by(CurrencyRate.rate_date)
            ).all()
            series[code] = (
                [r.rate_date for r in rows],
                [_per_unit(r.rate, r.nominal) for r in rows],
            )
        return cls(base, series)

    def rate(self, code: str, day: date) -> Decimal:
        code = code.upper()
        if code == self.base:
            return Decimal(1)
        days, values = self._series.get(code, ([], []))
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            raise MissingRate(code, day)
        return values[index]

    def rate_day(self, code: str, day: date) -> date | None:
        """The day of the rate of ``code`` in force on ``day`` (None: the base currency
        or no rate), so a report can say when an earlier day's rate was used."""
        code = code.upper()
        if code == self.base:
            return None
        days, _values = self._series.get(code, ([], []))
        index = bisect.bisect_right(days, day) - 1
        return days[index] if index >= 0 else None

    def convert(self, amount: Decimal, from_code: str, to_code: str, day: date) -> Decimal:
        if from_code.upper() == to_code.upper():
            return _quantize(Decimal(amount))
        return _convert(Decimal(amount), self.rate(from_code, day), self.rate(to_code, day))


# --- the reference book ------------------------------------------------------------------


def currencies_in(s: Session) -> list[CurrencyInfo]:
    """Every currency, the base one first (in an open session: the deal card's view)."""
    rows = s.scalars(select(Currency).order_by(Currency.is_base.desc(), Currency.code))
    return [
        CurrencyInfo(c.code, c.num_code, c.name, c.symbol, bool(c.is_base), c.version) for c in rows
    ]


def list_currencies(ctx: Context) -> list[CurrencyInfo]:
    """Every currency, the base one first (open to every user: forms pick from it)."""
    with ctx.db.reader() as s:
        return currencies_in(s)


def add_currency(ctx: Context, code: str, num_code: str, name: str, symbol: str) -> int:
    """A new currency (ISO 4217 letter and number codes); needs ``refbooks.edit``."""
    ctx.require(R.REFBOOKS_EDIT)
    code = (code or "").strip().upper()
    num_code = (num_code or "").strip()
    name = one_line(name) or ""
    symbol = one_line(symbol) or ""
    errors: dict[str, str] = {}
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        errors["code"] = _("A currency code is 3 Latin letters, e.g. USD")
    if len(num_code) != 3 or not (num_code.isascii() and num_code.isdigit()):
        errors["num_code"] = _("A numeric currency code is 3 digits, e.g. 840")
    if not name or len(name) > 60:
        errors["name"] = _("A name of 1–60 characters is required")
    if not symbol or len(symbol) > 5:
        errors["symbol"] = _("A symbol of 1–5 characters is required")
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        if s.scalar(select(Currency.id).where(Currency.code == code)) is not None:
            raise ValidationFailed({"code": _("The currency {code} exists").format(code=code)})
        currency = Currency(
            code=code, num_code=num_code, name=name, symbol=symbol, updated_by=ctx.user_id
        )
        record_create(s, ctx, currency, "currency")
        return currency.id


def set_rate(ctx: Context, code: str, rate_date: date, rate: Decimal, nominal: int = 1) -> None:
    """Store the rate of ``code`` on ``rate_date`` (replacing that day's rate); the deals
    whose conversions it changes get their summary columns recounted in the same
    transaction."""
    ctx.require(R.REFBOOKS_EDIT)
    code = (code or "").strip().upper()
    errors: dict[str, str] = {}
    try:
        rate = Decimal(rate)
    except (ArithmeticError, TypeError, ValueError):
        rate = Decimal(-1)
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
        errors["rate"] = _("A rate must be a positive number")
    elif rate != rate.quantize(Decimal("0.000001")):
        errors["rate"] = _("A rate has at most 6 decimal places")
    if not isinstance(nominal, int) or nominal < 1:
        errors["nominal"] = _("A nominal must be a positive whole number")
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        if code not in known_currencies(s):
            raise NotFound(_("Currency"), code)
        if code == base_currency(s):
            raise ValidationFailed({"code": _("The base currency always has rate 1")})
        existing = s.scalar(
            select(CurrencyRate).where(
                CurrencyRate.currency_code == code, CurrencyRate.rate_date == rate_date
            )
        )
        if existing is None:
            row = CurrencyRate(
                currency_code=code,
                rate_date=rate_date,
                rate=rate,
                nominal=nominal,
                updated_by=ctx.user_id,
            )
            record_create(s, ctx, row, "currency_rate")
        else:
            apply_changes(s, ctx, existing, {"rate": rate, "nominal": nominal}, "currency_rate")
        # Imported here: the deal services import this module for their conversions.
        from qstui.services.deals.sums import deals_using_rate, recount_deal_money

        recount_deal_money(s, deals_using_rate(s, code, rate_date))


def list_rates(ctx: Context, code: str, limit: int = 30) -> list[RateInfo]:
    """The latest ``limit`` rates of ``code``, newest first."""
    with ctx.db.reader() as s:
        rows = s.execute(
            select(CurrencyRate.rate_date, CurrencyRate.rate, CurrencyRate.nominal)
            .where(CurrencyRate.currency_code == (code or "").strip().upper())
            .order_by(CurrencyRate.rate_date.desc())
            .limit(max(1, min(limit, 1000)))
        ).all()
        return [RateInfo(code.upper(), r.rate_date, Decimal(r.rate), r.nominal) for r in rows]


def check_currency(s: Session, code: str | None, errors: dict[str, str]) -> None:
    """A message at ``currency_code`` in ``errors`` unless ``code`` is a known currency
    (what a payment, a 1C document and a contract are in)."""
    if not code or s.scalar(select(Currency.id).where(Currency.code == code)) is None:
        errors["currency_code"] = _("Unknown currency {code}").format(code=code)
