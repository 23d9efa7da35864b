"""The amount in words, in Russian, as accounting documents write it: «Сто двадцать три
тысячи четыреста пятьдесят шесть рублей 78 копеек» (for RUB, USD and EUR).

Written here rather than taken from num2words: it is short, has no dependency, and gives
exactly the accounting form «… рублей 78 копеек» (kopecks as two digits), which
num2words' currency mode does not. The commercial proposal (``proposals``) prints it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from qstui.domain.deals import KOPECK

_ONES_M = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_ONES_F = ("", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_TEENS = (
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
)
_TENS = (
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
)
_HUNDREDS = (
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
)
# (one, few, many, feminine) for 10^3, 10^6, 10^9, 10^12
_SCALES = (
    ("тысяча", "тысячи", "тысяч", True),
    ("миллион", "миллиона", "миллионов", False),
    ("миллиард", "миллиарда", "миллиардов", False),
    ("триллион", "триллиона", "триллионов", False),
)
# currency: (unit forms, unit feminine, suffix after the unit, fraction forms)
_CURRENCY_WORDS: dict[str, tuple[tuple[str, str, str], bool, str, tuple[str, str, str]]] = {
    "RUB": (("рубль", "рубля", "рублей"), False, "", ("копейка", "копейки", "копеек")),
    "USD": (("доллар", "доллара", "долларов"), False, " США", ("цент", "цента", "центов")),
    "EUR": (("евро", "евро", "евро"), False, "", ("цент", "цента", "центов")),
}


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian form for ``n``: 1 рубль, 2 рубля, 5 рублей (11–14: рублей)."""
    n = abs(n)
    if 11 <= n % 100 <= 14:
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if 2 <= n % 10 <= 4:
        return forms[1]
    return forms[2]


def _triad(n: int, feminine: bool) -> list[str]:
    result = []
    if n >= 100:
        result.append(_HUNDREDS[n // 100])
    rest = n % 100
    if 10 <= rest <= 19:
        result.append(_TEENS[rest - 10])
    else:
        if rest >= 20:
            result.append(_TENS[rest // 10])
        if rest % 10:
            result.append((_ONES_F if feminine else _ONES_M)[rest % 10])
    return result


def number_words(n: int, feminine: bool = False) -> str:
    """A whole number in Russian words (lower case): 1234 → «одна тысяча двести
    тридцать четыре»; up to 999 триллионов."""
    if n < 0:
        return "минус " + number_words(-n, feminine)
    if n == 0:
        return "ноль"
    if n >= 10**15:
        raise ValueError(n)
    parts: list[str] = []
    for power in range(4, 0, -1):
        triad = n // 10 ** (3 * power) % 1000
        if triad:
            one, few, many, fem = _SCALES[power - 1]
            parts += _triad(triad, fem)
            parts.append(plural(triad, (one, few, many)))
    parts += _triad(n % 1000, feminine)
    return " ".join(parts)


def amount_in_words(amount: Decimal, currency: str = "RUB") -> str | None:
    """«Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек»; None for a
    currency without Russian words."""
    spec = _CURRENCY_WORDS.get((currency or "").upper())
    if spec is None:
        return None
    units, feminine, suffix, fractions = spec
    value = Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)
    sign = "минус " if value < 0 else ""
    value = abs(value)
    whole = int(value)
    cents = int((value - whole) * 100)
    text = (
        f"{sign}{number_words(whole, feminine)} {plural(whole, units)}{suffix} "
        f"{cents:02d} {plural(cents, fractions)}"
    )
    return text[0].upper() + text[1:]
