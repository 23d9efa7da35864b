"""Reading a 1CClientBankExchange file into a ``Statement`` — never raising.

Lines are ``key=value`` split at the first ``=``, keys and values trimmed, in any order;
blank lines are skipped anywhere. A document whose sum or date cannot be read, that has
a line with no ``=``, or that the file cuts off is reported with a line number and
skipped; the rest of the file is still read. Sums are Decimal with ``.`` or ``,`` and at
most two decimals — never guessed; dates are ``ДД.ММ.ГГГГ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from qstui.domain.errors import ServiceError
from qstui.i18n import _
from qstui.onec.clientbank.statement import AccountSection, BankDocument, Party, Statement
from qstui.onec.clientbank.text import Note, decode

MARKER = "1CClientBankExchange"
DOCUMENT = "СекцияДокумент"
DOCUMENT_END = "КонецДокумента"
SECTION = "СекцияРасчСчет"
SECTION_END = "КонецРасчСчет"
FILE_END = "КонецФайла"

_AMOUNT = re.compile(r"^([0-9]{1,15})(?:[.,]([0-9]{1,2}))?$")
_DATE = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$")
_INN_PREFIX = re.compile(r"^\s*ИНН\s*\d*\s*,?\s*", re.IGNORECASE)


def parse_amount(text: str) -> Decimal | None:
    match = _AMOUNT.match(text.strip())
    if not match:
        return None
    return Decimal(f"{match.group(1)}.{(match.group(2) or '').ljust(2, '0')}")


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class _Block:
    """A section or a document being read: its first line and its keys with lines."""

    line: int
    kind: str
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    bad_line: int = 0  # a line with no «=» inside it

    def value(self, *keys: str) -> str:
        for key in keys:
            if self.fields.get(key, (0, ""))[1]:
                return self.fields[key][1]
        return ""

    def line_of(self, key: str) -> int:
        return self.fields.get(key, (self.line, ""))[0]


class _Reader:
    def __init__(self, statement: Statement) -> None:
        self.st = statement
        self.block: _Block | None = None  # the open document or section
        self.in_document = False
        self.ended = False

    def error(self, line: int, message: str) -> None:
        self.st.errors.append(Note(line, message))

    def warn(self, line: int, message: str) -> None:
        self.st.warnings.append(Note(line, message))

    # --- blocks -------------------------------------------------------------
    def close_open(self, at: int, why_cut: str) -> None:
        """A new block, the file's end or КонецФайла while a block is open."""
        if self.block is None:
            return
        if self.in_document:
            self.error(
                self.block.line,
                _("The document is cut off ({why}, line {at}) and is skipped").format(
                    why=why_cut, at=at
                ),
            )
        else:
            self.warn(self.block.line, _("The account section has no КонецРасчСчет"))
            self.finish_section()
        self.block = None

    def finish_section(self) -> None:
        block = self.block
        assert block is not None
        values: dict[str, Decimal | None] = {}
        for key in ("НачальныйОстаток", "ВсегоПоступило", "ВсегоСписано", "КонечныйОстаток"):
            text = block.value(key)
            values[key] = parse_amount(text) if text else None
            if text and values[key] is None:
                self.warn(block.line_of(key), _("«{text}» is not an amount").format(text=text))
        self.st.sections.append(
            AccountSection(
                line=block.line,
                account=block.value("РасчСчет"),
                date_from=parse_date(block.value("ДатаНачала")),
                date_to=parse_date(block.value("ДатаКонца")),
                opening=values["НачальныйОстаток"],
                received=values["ВсегоПоступило"],
                debited=values["ВсегоСписано"],
                closing=values["КонечныйОстаток"],
            )
        )

    def finish_document(self) -> None:
        block = self.block
        assert block is not None
        if block.bad_line:
            self.error(
                block.bad_line,
                _("The line has no «=»; the document of line {line} is skipped").format(
                    line=block.line
                ),
            )
            return
        amount_text = block.value("Сумма")
        amount = parse_amount(amount_text)
        if amount is None:
            message = (
                _("«{text}» is not an amount; the document is skipped").format(text=amount_text)
                if amount_text
                else _("The document has no Сумма and is skipped")
            )
            self.error(block.line_of("Сумма"), message)
            return
        date_text = block.value("Дата")
        doc_date = parse_date(date_text)
        if doc_date is None:
            message = (
                _("«{text}» is not a date ДД.ММ.ГГГГ; the document is skipped").format(
                    text=date_text
                )
                if date_text
                else _("The document has no Дата and is skipped")
            )
            self.error(block.line_of("Дата"), message)
            return
        self.st.documents.append(
            BankDocument(
                line=block.line,
                kind=block.kind,
                number=block.value("Номер"),
                doc_date=doc_date,
                amount=amount,
                payer=self.party(block, "Плательщик"),
                payee=self.party(block, "Получатель"),
                purpose=block.value("НазначениеПлатежа"),
                debited_on=self.optional_date(block, "ДатаСписано"),
                credited_on=self.optional_date(block, "ДатаПоступило"),
                fields={key: value for key, (_line, value) in block.fields.items()},
            )
        )

    def optional_date(self, block: _Block, key: str) -> date | None:
        text = block.value(key)
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.warn(block.line_of(key), _("«{text}» is not a date ДД.ММ.ГГГГ").format(text=text))
        return value

    @staticmethod
    def party(block: _Block, who: str) -> Party:
        name = block.value(f"{who}1")
        if not name:
            name = _INN_PREFIX.sub("", block.value(who)).strip()
        return Party(
            account=block.value(f"{who}Счет", f"{who}РасчСчет"),
            inn=block.value(f"{who}ИНН"),
            kpp=block.value(f"{who}КПП"),
            name=name,
            bic=block.value(f"{who}БИК"),
        )

    # --- lines --------------------------------------------------------------
    def line(self, number: int, text: str) -> None:
        stripped = text.strip().lstrip("\ufeff").strip()
        if not stripped:
            return
        if self.ended:
            self.warn(number, _("Text after КонецФайла is ignored"))
            self.ended = None  # type: ignore[assignment]  # warned once
            return
        if self.ended is None:
            return
        key, sep, value = stripped.partition("=")
        key, value = key.strip(), value.strip()
        if key == DOCUMENT:
            self.close_open(number, _("a new document begins"))
            self.block, self.in_document = _Block(number, value), True
        elif key == SECTION:
            self.close_open(number, _("an account section begins"))
            self.block, self.in_document = _Block(number, value), False
        elif key == DOCUMENT_END:
            if self.block is not None and self.in_document:
                self.finish_document()
                self.block = None
            else:
                self.error(number, _("КонецДокумента without СекцияДокумент"))
        elif key == SECTION_END:
            if self.block is not None and not self.in_document:
                self.finish_section()
                self.block = None
            else:
                self.error(number, _("КонецРасчСчет without СекцияРасчСчет"))
        elif key == FILE_END:
            self.close_open(number, _("the file ends"))
            self.ended = True
        elif not sep or not key:
            if self.block is not None and self.in_document:
                self.block.bad_line = self.block.bad_line or number
            else:
                self.error(number, _("The line is not «key=value» and is skipped"))
        elif self.block is not None:
            self.block.fields[key] = (number, value)
        elif key == "РасчСчет":
            if value:
                self.st.accounts.append(value)
        else:
            self.st.header.setdefault(key, value)


def parse(data: bytes) -> Statement:
    """Read a statement from the bytes of a file; errors and warnings name lines."""
    text = decode(data)
    st = Statement(encoding=text.encoding, declared_encoding=text.declared)
    st.warnings.extend(text.warnings)
    first = next(
        (
            (n, line.strip().lstrip("\ufeff").strip())
            for n, line in enumerate(text.lines, 1)
            if line.strip()
        ),
        None,
    )
    if first is None:
        st.errors.append(Note(1, _("The file is empty")))
        return st
    has_marker = first[1] == MARKER
    reader = _Reader(st)
    for number, line in enumerate(text.lines, start=1):
        if has_marker and number == first[0]:
            continue
        reader.line(number, line)
    last = len(text.lines)
    reader.close_open(last, _("the file ends"))
    if not reader.ended and reader.ended is not None:
        st.warnings.append(Note(last, _("The file has no КонецФайла")))
    st.readable = has_marker or bool(st.documents or st.sections)
    if not has_marker:
        not_ours = Note(first[0], _("The file does not begin with 1CClientBankExchange"))
        if not st.readable:  # another kind of file: what its lines are not says nothing
            st.errors, st.warnings = [not_ours], []
            return st
        st.errors.insert(0, not_ours)
    _check_totals(st)
    return st


def _check_totals(st: Statement) -> None:
    for section in st.sections:
        if section.received is None or section.debited is None or not section.account:
            continue
        received, debited = st.totals(section.account)
        if (received, debited) != (section.received, section.debited):
            st.warnings.append(
                Note(
                    section.line,
                    _(
                        "The documents of account {account} come to {received} received and "
                        "{debited} debited; the statement says {s_received} and {s_debited}"
                    ).format(
                        account=section.account,
                        received=received,
                        debited=debited,
                        s_received=section.received,
                        s_debited=section.debited,
                    ),
                )
            )


MAX_BYTES = 64 * 1024 * 1024  # a day's statement is kilobytes; a year's, a few megabytes


def load(path: str | Path) -> bytes:
    """The bytes of a statement file (``~`` expanded); ``ServiceError`` in the user's
    words when it cannot be read or is far too large to be a statement."""
    file = Path(path).expanduser()
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ServiceError(
            _("Cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc)
        ) from None
    if len(data) > MAX_BYTES:
        raise ServiceError(
            _("{file} is larger than {size} MB: not a bank statement").format(
                file=file, size=MAX_BYTES // (1024 * 1024)
            )
        )
    return data


def read_file(path: str | Path) -> Statement:
    """Read a statement file (``ServiceError`` when it cannot be read)."""
    return parse(load(path))
