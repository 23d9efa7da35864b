"""Bank statement import (E7): what the screens and the CLI see of a statement — each
incoming payment with how it matched a client and a deal — and what an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from qstui.i18n import N_, _


class MatchStatus(StrEnum):
    MATCHED = "matched"  # a client and a deal
    CLIENT = "client"  # a client, no deal determined
    AMBIGUOUS = "ambiguous"  # several clients or several deals: see the candidates
    UNMATCHED = "unmatched"  # no client with the payer's INN


MATCH_LABELS = {
    MatchStatus.MATCHED: N_("matched"),
    MatchStatus.CLIENT: N_("client only"),
    MatchStatus.AMBIGUOUS: N_("ambiguous"),
    MatchStatus.UNMATCHED: N_("unmatched"),
}


@dataclass(frozen=True)
class Candidate:
    """A client (and a deal of it, when ``deal_id``) an incoming payment may be for."""

    company_id: int
    company_name: str
    deal_id: int | None = None
    deal_title: str = ""
    debt: Decimal | None = None  # of the deal, in its currency


@dataclass(frozen=True)
class Match:
    status: MatchStatus
    company_id: int | None = None
    deal_id: int | None = None
    reason: str = ""  # how it matched, for people: «счет 345», «договор 17/2026-П», …
    candidates: tuple[Candidate, ...] = ()
    company_name: str = ""
    deal_title: str = ""


@dataclass(frozen=True)
class BankLine:
    """One incoming payment document of a statement and how it matched."""

    line: int  # where its СекцияДокумент is
    number: str
    doc_date: date
    amount: Decimal
    currency_code: str | None  # of our account; None when the account does not say
    account: str  # ours, that received it
    payer_inn: str
    payer_kpp: str
    payer_name: str
    purpose: str
    import_key: str  # account, number, date, amount, payer INN
    match: Match
    payment_id: int | None = None  # the payment imported from it already


@dataclass(frozen=True)
class Issue:
    line: int
    message: str


@dataclass
class BankPreview:
    """A statement read and matched; with ``created`` after an import."""

    accounts: list[str]
    incoming: list[BankLine] = field(default_factory=list)
    outgoing: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    readable: bool = True
    created: int = 0
    run_id: int | None = None  # the exchange run an import was recorded as


def preview_summary(preview: BankPreview) -> str:
    """One line of what a statement holds, as the CLI prints it and the screen shows it."""
    counts = dict.fromkeys(MatchStatus, 0)
    for line in preview.incoming:
        counts[line.match.status] += 1
    return _(
        "Incoming: {incoming} (matched {matched}, client only {client}, ambiguous "
        "{ambiguous}, unmatched {unmatched}); outgoing: {outgoing}; not read: {errors}"
    ).format(
        incoming=len(preview.incoming),
        matched=counts[MatchStatus.MATCHED],
        client=counts[MatchStatus.CLIENT],
        ambiguous=counts[MatchStatus.AMBIGUOUS],
        unmatched=counts[MatchStatus.UNMATCHED],
        outgoing=preview.outgoing,
        errors=len(preview.errors),
    )
