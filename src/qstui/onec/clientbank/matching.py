"""Matching incoming payments to clients and deals — pure functions over plain records.

- The payer is a client by INN; when several clients share it, by INN and KPP.
- The deal: an invoice number in the purpose («счет № 345», «сч.345 от», «по счету на
  оплату №УТ-345»), else a contract number («по договору 17/2026-П», «дог. № 5»), else
  the client's only open deal with a debt. Several deals for one number: those with a
  debt; still several — ambiguous.

Numbers compare case-insensitively without spaces; a purely numeric number in the
purpose also matches a document number whose last digits are it with leading zeros
(«345» — «УТ-00000345», «0000-000345»), as 1C numbers invoices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from qstui.domain.bank import Candidate, Match, MatchStatus
from qstui.i18n import _

_TOKEN = r"((?:[0-9a-zа-я/_.\-]*[0-9])[0-9a-zа-я/_.\-]*)"
_NO = r"\s*(?:№|n|no|#)?\s*\.?\s*"
INVOICE = re.compile(
    r"(?<![0-9a-zа-я])сч(?:ет[а-я]{0,2}|\.)?(?![а-я])(?!\s*-\s*фактур)\s*"
    r"(?:на\s+оплату(?:\s+покупателю)?)?" + _NO + _TOKEN
)
CONTRACT = re.compile(
    r"(?<![0-9a-zа-я])дог(?:овор[а-я]{0,3}|\.)?(?![а-я])\s*"
    r"(?:(?:поставки|оказания\s+услуг|купли-продажи|подряда|оферты)\s*)?" + _NO + _TOKEN
)
_TRAILING = "./-_"
_LAST_DIGITS = re.compile(r"([0-9]+)$")


@dataclass(frozen=True)
class ClientRecord:
    id: int
    name: str
    inn: str
    kpp: str


@dataclass(frozen=True)
class DealRecord:
    id: int
    company_id: int
    title: str
    is_open: bool
    debt: Decimal  # max(invoiced, shipped) − paid, in the deal currency
    contract_no: str | None = None
    invoice_nos: tuple[str, ...] = ()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е"))


def numbers_in(purpose: str, pattern: re.Pattern[str]) -> list[str]:
    """The document numbers ``pattern`` finds in a payment purpose, normalized."""
    found: list[str] = []
    for match in pattern.finditer(_clean(purpose)):
        token = match.group(1).rstrip(_TRAILING)
        if token and len(token) < 20 and token not in found:  # 20 digits: an account
            found.append(token)
    return found


def _key(number: str) -> str:
    return re.sub(r"\s+", "", _clean(number)).lstrip("№").rstrip(_TRAILING)


def same_number(in_purpose: str, document_no: str) -> bool:
    ours = _key(document_no)
    if not ours:
        return False
    if in_purpose == ours:
        return True
    for digits, other in ((in_purpose, ours), (ours, in_purpose)):
        if digits.isdigit():
            tail = _LAST_DIGITS.search(other)
            return tail is not None and int(tail.group(1)) == int(digits)
    return False


def _matched(client: ClientRecord, deal: DealRecord, reason: str) -> Match:
    return Match(
        MatchStatus.MATCHED,
        client.id,
        deal.id,
        reason,
        company_name=client.name,
        deal_title=deal.title,
    )


def _deal_candidate(deal: DealRecord, client: ClientRecord) -> Candidate:
    return Candidate(client.id, client.name, deal.id, deal.title, deal.debt)


def _pick(deals: Sequence[DealRecord], client: ClientRecord, reason: str) -> Match | None:
    """One deal: matched; several: those with a debt, else ambiguous; none: None."""
    if not deals:
        return None
    if len(deals) > 1:
        owing = [deal for deal in deals if deal.debt > 0]
        if len(owing) == 1:
            deals = owing
    if len(deals) == 1:
        return _matched(client, deals[0], reason)
    return Match(
        MatchStatus.AMBIGUOUS,
        client.id,
        None,
        reason,
        tuple(_deal_candidate(deal, client) for deal in deals),
        company_name=client.name,
    )


def match_deal(client: ClientRecord, deals: Sequence[DealRecord], purpose: str) -> Match:
    """The deal of ``client`` a payment with ``purpose`` is for."""
    for number in numbers_in(purpose, INVOICE):
        found = [d for d in deals if any(same_number(number, no) for no in d.invoice_nos)]
        picked = _pick(found, client, _("invoice {number}").format(number=number))
        if picked is not None:
            return picked
    for number in numbers_in(purpose, CONTRACT):
        found = [d for d in deals if d.contract_no and same_number(number, d.contract_no)]
        picked = _pick(found, client, _("contract {number}").format(number=number))
        if picked is not None:
            return picked
    open_deals = [deal for deal in deals if deal.is_open]
    owing = [deal for deal in open_deals if deal.debt > 0]
    if len(owing) == 1:
        return _matched(client, owing[0], _("the only open deal with a debt"))
    return Match(
        MatchStatus.CLIENT,
        client.id,
        None,
        _("no deal found"),
        tuple(_deal_candidate(deal, client) for deal in open_deals),
        company_name=client.name,
    )


def _client_candidates(client: ClientRecord, deals: Sequence[DealRecord]) -> list[Candidate]:
    """The open deals of a client to choose from, or the client alone when it has none."""
    open_deals = [_deal_candidate(deal, client) for deal in deals if deal.is_open]
    return open_deals or [Candidate(client.id, client.name)]


def match_client(clients: Sequence[ClientRecord], kpp: str) -> list[ClientRecord]:
    """The clients of an INN the payer is: all of them, or those of its KPP when that
    narrows them to one."""
    if len(clients) > 1 and kpp:
        same = [client for client in clients if client.kpp == kpp]
        if len(same) == 1:
            return same
    return list(clients)


def match_payment(
    inn: str,
    kpp: str,
    purpose: str,
    clients_by_inn: Mapping[str, Sequence[ClientRecord]],
    deals_by_client: Mapping[int, Sequence[DealRecord]],
) -> Match:
    """How one incoming payment matches the clients and deals given."""
    clients = match_client(clients_by_inn.get(inn.strip(), ()), kpp.strip()) if inn else []
    if not clients:
        return Match(
            MatchStatus.UNMATCHED,
            reason=_("no client with INN {inn}").format(inn=inn)
            if inn
            else _("the payer has no INN"),
        )
    if len(clients) > 1:
        return Match(
            MatchStatus.AMBIGUOUS,
            reason=_("several clients with INN {inn}").format(inn=inn),
            candidates=tuple(
                candidate
                for client in clients
                for candidate in _client_candidates(client, deals_by_client.get(client.id, ()))
            ),
        )
    return match_deal(clients[0], deals_by_client.get(clients[0].id, ()), purpose)


def group_by_inn(clients: Iterable[ClientRecord]) -> dict[str, list[ClientRecord]]:
    grouped: dict[str, list[ClientRecord]] = {}
    for client in clients:
        grouped.setdefault(client.inn, []).append(client)
    return grouped
