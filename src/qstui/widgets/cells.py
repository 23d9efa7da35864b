"""Table cells with meaning: debts and overdue items in red, money right-aligned."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from qstui.domain import formatting as fmt

# Red in every colour system, and bold so it stands out on a monochrome terminal too.
# Not the ANSI name "red": Textual paints ANSI colours through its theme, whose red is a
# pink that a 16-colour terminal shows as magenta. This red is the nearest colour to
# ANSI red of the 16, the 256 and the true colours alike.
ALERT = "bold #d70000"


def styled(text: str | None, style: str = "") -> Text:
    """A table cell: ``text`` in ``style`` (e.g. ``ALERT`` for overdue plans)."""
    return Text(text or "", style=style)


def money(amount: Decimal | None, currency: str | None = "RUB", alert: bool = False) -> Text:
    """A right-aligned amount; ``alert`` paints it red (receivables, SPEC D6)."""
    return Text(fmt.money(amount, currency), style=ALERT if alert else "", justify="right")


def debt(amount: Decimal | None, currency: str | None = "RUB", advance: bool = False) -> Text:
    """A debt: red when the client owes money, empty when nothing is owed (with
    ``advance``, an advance reads «аванс 1 000,00 ₽»), «?» when a currency rate is
    missing. Never a negative debt."""
    if amount is None:
        return Text("?", justify="right")
    if amount < 0 and advance:
        return Text(fmt.debt(amount, currency), style="dim", justify="right")
    if amount <= 0:
        return Text("", justify="right")
    return money(amount, currency, alert=True)
