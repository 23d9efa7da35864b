"""Bank statements in the 1CClientBankExchange format (E7): decoding, parsing, and the
plain records that matching and importing work on. No database here."""

from qstui.onec.clientbank.parser import load, parse, parse_amount, parse_date, read_file
from qstui.onec.clientbank.statement import AccountSection, BankDocument, Party, Statement
from qstui.onec.clientbank.text import Note

__all__ = [
    "AccountSection",
    "BankDocument",
    "Note",
    "Party",
    "Statement",
    "load",
    "parse",
    "parse_amount",
    "parse_date",
    "read_file",
]
