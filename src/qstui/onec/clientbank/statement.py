"""What a 1CClientBankExchange statement holds: the header, the per-account sections
with balances and totals, the payment documents, and what could not be read.

Plain data; ``parse`` builds it and nothing here touches a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from qstui.onec.clientbank.text import Note


@dataclass(frozen=True)
class AccountSection:
    """``СекцияРасчСчет``: one account's balances and totals over a period."""

    line: int
    account: str
    date_from: date | None
    date_to: date | None
    opening: Decimal | None  # НачальныйОстаток
    received: Decimal | None  # ВсегоПоступило
    debited: Decimal | None  # ВсегоСписано
    closing: Decimal | None  # КонечныйОстаток


@dataclass(frozen=True)
class Party:
    """The payer or the payee of a document."""

    account: str  # …Счет, else …РасчСчет
    inn: str
    kpp: str
    name: str  # …1, else the plain key without an «ИНН 123…» prefix
    bic: str


@dataclass(frozen=True)
class BankDocument:
    """``СекцияДокумент=<kind>`` … ``КонецДокумента``."""

    line: int  # where the document begins
    kind: str  # Платежное поручение, Банковский ордер, … ("" when not given)
    number: str
    doc_date: date
    amount: Decimal
    payer: Party
    payee: Party
    purpose: str
    debited_on: date | None  # ДатаСписано
    credited_on: date | None  # ДатаПоступило
    fields: dict[str, str]  # every key as read


@dataclass
class Statement:
    encoding: str
    declared_encoding: str | None
    header: dict[str, str] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)  # the header's РасчСчет lines
    sections: list[AccountSection] = field(default_factory=list)
    documents: list[BankDocument] = field(default_factory=list)
    errors: list[Note] = field(default_factory=list)  # something was skipped
    warnings: list[Note] = field(default_factory=list)  # read, but worth a look
    readable: bool = False  # a statement was recognised at all

    def our_accounts(self) -> list[str]:
        """The header's accounts and those of the sections, in order, once each."""
        seen: dict[str, None] = {}
        for account in [*self.accounts, *(s.account for s in self.sections)]:
            if account:
                seen.setdefault(account, None)
        return list(seen)

    def totals(self, account: str) -> tuple[Decimal, Decimal]:
        """The sums received on and debited from ``account``: received when it is the
        payee's account; debited when it is the payer's, or — in a one-account statement —
        when the document names none of our accounts (banks anonymise the payer's account
        of outgoing documents in exported samples; every document of a statement moved
        money on one of its accounts)."""
        ours = set(self.our_accounts())
        received = debited = Decimal("0.00")
        for doc in self.documents:
            if doc.payee.account == account:
                received += doc.amount
            elif doc.payer.account == account or (
                ours == {account}
                and doc.payer.account not in ours
                and doc.payee.account not in ours
            ):
                debited += doc.amount
        return received, debited
