"""The statement parser never raises, and every error and warning names a line of the
file: random bytes, real files cut anywhere, their lines shuffled or mixed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstui.onec.clientbank import Statement, parse
from qstui.onec.clientbank.text import split_lines

SAMPLES = sorted((Path(__file__).parent / "samples" / "clientbank").glob("*.txt"))
BYTES = [path.read_bytes() for path in SAMPLES]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = [
    "1CClientBankExchange",
    "Кодировка=Windows",
    "Кодировка=DOS",
    "РасчСчет=40702810000000000001",
    "СекцияДокумент=Платежное поручение",
    "СекцияДокумент",
    "КонецДокумента",
    "СекцияРасчСчет",
    "КонецРасчСчет",
    "КонецФайла",
    "Сумма=100.00",
    "Сумма=1,5",
    "Сумма=abc",
    "Дата=01.02.2026",
    "Дата=99.99.9999",
    "Номер=1",
    "ПолучательСчет=40702810000000000001",
    "ПлательщикИНН=7701",
    "ВсегоПоступило=1.00",
    "=",
    "===",
    "",
    " ",
    "\t",
    "no equals here",
    "ДатаСписано=x",
]


def _check(data: bytes) -> Statement:
    result = parse(data)
    count = max(1, len(split_lines(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)))
    for note in [*result.errors, *result.warnings]:
        assert 1 <= note.line <= count, note
        assert note.message
    for doc in result.documents:
        assert isinstance(doc.amount, Decimal) and doc.amount >= 0
    return result


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(st.sampled_from(BYTES), st.data())
def test_truncated_files(data: bytes, draw: st.DataObject) -> None:
    cut = draw.draw(st.integers(min_value=0, max_value=len(data)))
    result = _check(data[:cut])
    if cut >= len(data) // 2:
        assert result.readable


@FUZZ
@given(st.sampled_from(BYTES), st.randoms(use_true_random=False))
def test_shuffled_lines(data: bytes, rnd) -> None:  # type: ignore[no-untyped-def]
    sep = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(sep)
    rnd.shuffle(lines)
    _check(sep.join(lines))


@FUZZ
@given(
    st.lists(st.sampled_from(PIECES), max_size=60),
    st.sampled_from(["cp1251", "cp866", "utf-8"]),
    st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_mixed_lines(pieces: list[str], encoding: str, end: str) -> None:
    _check(end.join(pieces).encode(encoding))
    _check(b"\xef\xbb\xbf" + end.join(pieces).encode("utf-8"))
