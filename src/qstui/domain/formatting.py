"""How money, dates and times read in the user's language (SPEC: ``ДД.ММ.ГГГГ`` and
``1 234 567,89 ₽`` in Russian; in English money reads ``1,234,567.89 ₽`` and dates keep
the day-first ``23.11.2026`` form the team shares)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from qstui.i18n import _, language

CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥", "KZT": "₸", "BYN": "Br"}
KOPECK = Decimal("0.01")
NBSP = "\u00a0"


def money(amount: Decimal | int | None, currency: str | None = "RUB") -> str:
    """``1 234 567,89 ₽`` (ru) / ``1,234,567.89 ₽`` (en); empty for None."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}"
    if language() == "ru":
        text = text.replace(",", NBSP).replace(".", ",")
    sign = CURRENCY_SIGNS.get(currency or "", currency or "")
    return f"{text}{NBSP}{sign}" if sign else text


def debt(amount: Decimal | int | None, currency: str | None = "RUB") -> str:
    """A debt as people read it (D6): the amount owed, or «аванс 1 000,00 ₽» when the
    client paid more than was invoiced or shipped — never a negative debt."""
    if amount is None:
        return ""
    if amount < 0:
        return _("advance {amount}").format(amount=money(-amount, currency))
    return money(amount, currency)


def debt_phrase(amount: Decimal, currency: str | None, phrase: str) -> str:
    """``phrase`` (translated, e.g. «долг: {amount}») with the debt; «аванс …» instead
    when the client paid in advance."""
    if amount < 0:
        return debt(amount, currency)
    return phrase.format(amount=money(amount, currency))


def number(value: Decimal | int | None, places: int = 0) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):,.{places}f}"
    if language() == "ru":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def total(value: int, cap: int) -> str:
    """A capped count (``cap + 1`` means more than ``cap``): "1 234" or "10 000+"."""
    return number(cap) + "+" if value > cap else number(value)


def day(value: date | datetime | None) -> str:
    """``23.11.2026`` in both languages (the format Russian users read)."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y")


def moment(value: datetime | None) -> str:
    """A stored (naive UTC) timestamp as local wall-clock time: ``23.11.2026 14:30``."""
    if value is None:
        return ""
    from qstui.domain.calendar import to_local

    return to_local(value).strftime("%d.%m.%Y %H:%M")


def parse_day(text: str) -> date:
    """``23.11.2026``, ``23.11.26``, ``2026-11-23`` → a date; ValueError otherwise."""
    text = (text or "").strip()
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_money(text: str) -> Decimal:
    """``1 234,50`` / ``1234.5`` / ``1,234.50`` → Decimal (kopecks); ValueError otherwise
    (more than two decimal places too: an amount typed is never rounded silently)."""
    raw = (text or "").replace(NBSP, "").replace(" ", "").replace("₽", "").strip()
    if not raw:
        raise ValueError(text)
    # "1,234.50" uses the comma for thousands; otherwise it is the decimal separator.
    raw = raw.replace(",", "") if "," in raw and "." in raw else raw.replace(",", ".")
    try:
        value = Decimal(raw)
        kopecks = value.quantize(KOPECK)  # InvalidOperation for NaN, ∞ and huge numbers
    except ArithmeticError as exc:
        raise ValueError(text) from exc
    if kopecks != value:
        raise ValueError(text)
    return kopecks


def hhmm(value: datetime | None) -> str:
    """The time of a local wall-clock moment: ``14:30``."""
    return "" if value is None else value.strftime("%H:%M")


def shorten_middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters by an ellipsis in the middle, so that both its
    start and its end stay readable (a database URL: the server and the file name)."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width == 1:
        return "…"
    head = width // 2
    tail = width - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")
