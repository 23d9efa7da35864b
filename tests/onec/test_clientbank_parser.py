"""The 1CClientBankExchange parser on real public files and on the quirks of the format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from qstui.onec.clientbank import parse, parse_amount, read_file

SAMPLES = Path(__file__).parent / "samples" / "clientbank"


def _shared_samples() -> Path | None:
    """``../shared/onec/samples/clientbank`` next to the checkout (or a parent of it)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "onec" / "samples" / "clientbank"
        if candidate.is_dir():
            return candidate
    return None


def _all_samples() -> list[Path]:
    files = sorted(SAMPLES.glob("*.txt"))
    shared = _shared_samples()
    if shared is not None:
        files += sorted(shared.glob("*.txt"))
    return files


@pytest.mark.parametrize("path", _all_samples(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_sample_is_read(path: Path) -> None:
    st = read_file(path)
    assert st.readable
    assert st.documents
    assert not st.errors
    for doc in st.documents:
        assert isinstance(doc.amount, Decimal) and doc.amount == doc.amount.quantize(
            Decimal("0.01")
        )


def test_the_shared_samples_are_all_read_when_present() -> None:
    shared = _shared_samples()
    if shared is None:
        pytest.skip("../shared/onec/samples/clientbank is not next to this checkout")
    assert len(list(shared.glob("*.txt"))) >= 10


@pytest.mark.parametrize("name", ["kilylabs_one_day_cp1251.txt", "kilylabs_one_day_utf8.txt"])
def test_totals_match_the_account_section(name: str) -> None:
    st = read_file(SAMPLES / name)
    [section] = st.sections
    assert section.account == "40702810200000000001"
    assert (section.opening, section.received, section.debited, section.closing) == (
        Decimal("45329.91"),
        Decimal("40000.00"),
        Decimal("41184.00"),
        Decimal("44145.91"),
    )
    assert st.totals(section.account) == (section.received, section.debited)
    assert len(st.documents) == 13
    incoming = [d for d in st.documents if d.payee.account == section.account]
    assert [d.amount for d in incoming] == [
        Decimal("6000.00"),
        Decimal("14000.00"),
        Decimal("20000.00"),
    ]
    assert incoming[0].doc_date == date(2016, 1, 11)
    assert incoming[0].credited_on == date(2016, 1, 11)
    assert not [w for w in st.warnings if "40702810200000000001" in w.message]


def test_utf8_declaring_windows_is_read_as_utf8_with_a_warning() -> None:
    windows = read_file(SAMPLES / "kilylabs_one_day_cp1251.txt")
    utf8 = read_file(SAMPLES / "kilylabs_one_day_utf8.txt")
    assert (windows.encoding, windows.declared_encoding) == ("cp1251", "cp1251")
    assert (utf8.encoding, utf8.declared_encoding) == ("utf-8", "cp1251")
    assert utf8.documents == windows.documents
    assert utf8.header["Отправитель"] == "Банк Клиент Онлайн"
    [warning] = [w for w in utf8.warnings if "UTF-8" in w.message]
    assert warning.line == 3
    assert "Windows-1251" in warning.message
    assert not [w for w in windows.warnings if "encoding" in w.message]


def test_a_last_line_in_another_encoding_and_a_document_without_kind() -> None:
    st = read_file(SAMPLES / "dronm_to_bank_cp1251.txt")
    assert st.encoding == "cp1251"
    assert [d.kind for d in st.documents] == ["", ""]
    assert st.documents[0].payer.name == 'ООО "Рога и Копыта"'
    assert [w.line for w in st.warnings] == [75]  # КонецФайла in UTF-8
    assert not any("КонецФайла" in w.message for w in st.warnings[1:])


def _statement(*lines: str, encoding: str = "cp1251", end: str = "\r\n") -> bytes:
    return end.join(lines).encode(encoding)


DOC = [
    "СекцияДокумент=Платежное поручение",
    "Номер=17",
    "Дата=05.03.2026",
    "Сумма=118000,5",
    "ПлательщикИНН=7701234567",
    "Плательщик=ИНН 7701234567 ООО Ромашка",
    "ПолучательСчет=40702810000000000001",
    "НазначениеПлатежа=  Оплата по счету № 345 от 01.03.2026  ",
    "КонецДокумента",
]


@pytest.mark.parametrize("encoding", ["cp1251", "cp866", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
def test_encodings_and_line_endings(encoding: str, end: str) -> None:
    declared = "DOS" if encoding == "cp866" else "Windows"
    data = _statement(
        "1CClientBankExchange",
        f"Кодировка={declared}",
        "РасчСчет=40702810000000000001",
        *DOC,
        "КонецФайла",
        encoding=encoding,
        end=end,
    )
    st = parse(data)
    assert not st.errors
    [doc] = st.documents
    assert doc.amount == Decimal("118000.50")
    assert doc.payer.name == "ООО Ромашка"
    assert doc.purpose == "Оплата по счету № 345 от 01.03.2026"
    assert st.accounts == ["40702810000000000001"]
    assert st.encoding == {"utf-8-sig": "utf-8"}.get(encoding, encoding)


def test_keys_in_any_order_blank_lines_and_no_file_end() -> None:
    shuffled = [DOC[0], *reversed(DOC[1:-1]), "", "   ", DOC[-1]]
    st = parse(_statement("1CClientBankExchange", "", *shuffled))
    [doc] = st.documents
    assert (doc.number, doc.amount) == ("17", Decimal("118000.50"))
    assert [w.message for w in st.warnings] == ["The file has no КонецФайла"]


@pytest.mark.parametrize(
    ("bad", "line", "words"),
    [
        ("Сумма=118 000.00", 14, "not an amount"),
        ("Сумма=1.005", 14, "not an amount"),
        ("Сумма=", 14, "no Сумма"),
        ("Дата=2026-03-05", 13, "not a date"),
        ("Дата=31.02.2026", 13, "not a date"),
        ("just words", 19, "no «="),
    ],
)
def test_a_broken_document_is_skipped_and_the_rest_read(bad: str, line: int, words: str) -> None:
    broken = list(DOC)
    key = bad.split("=")[0]
    if "=" in bad:
        broken = [bad if row.startswith(key + "=") else row for row in broken]
    else:
        broken.insert(-1, bad)
    st = parse(_statement("1CClientBankExchange", *DOC, *broken, *DOC, "КонецФайла"))
    assert len(st.documents) == 2
    [error] = st.errors
    assert error.line == line  # the broken document is lines 11-19 (20)
    assert words in error.message


def test_a_document_cut_off_by_the_end_of_the_file() -> None:
    st = parse(_statement("1CClientBankExchange", *DOC, *DOC[:4]))
    assert len(st.documents) == 1
    [error] = st.errors
    assert error.line == 2 + len(DOC)
    assert "cut off" in error.message


def test_amounts() -> None:
    assert parse_amount("10") == Decimal("10.00")
    assert parse_amount(" 10.5 ") == Decimal("10.50")
    assert parse_amount("10,05") == Decimal("10.05")
    for bad in ("", "-1", "1e3", "1,000.00", "١٢", "10.", "NaN"):
        assert parse_amount(bad) is None


def test_not_a_statement() -> None:
    st = parse(b"hello\nworld\n")
    assert not st.readable
    assert st.errors[0].line == 1
    assert parse(b"").errors[0].line == 1
