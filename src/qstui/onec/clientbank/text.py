"""The bytes of a 1CClientBankExchange file as numbered text lines.

The header's ``Кодировка=`` (Windows = cp1251, DOS = cp866) is only a hint: files
declaring Windows are often UTF-8, and some end with a line in another encoding. So:
a UTF-8 BOM, or a file that is valid UTF-8 as a whole, is UTF-8; otherwise cp1251 and
cp866 are both tried and the one under which more lines start with the format's own
keys wins (the keys are Cyrillic, so the wrong single-byte table never spells them);
only a tie falls back to the declared encoding, then to cp1251. A line that does not
decode under the file's encoding is tried as UTF-8 and cp1251 and reported. This is
exact for this format, so no statistical charset detector is needed.

Line breaks: CRLF, LF, or CR alone when the file has no LF at all; a stray CR inside a
line is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qstui.i18n import _

BOM = b"\xef\xbb\xbf"
UTF8 = "utf-8"
CP1251 = "cp1251"
CP866 = "cp866"
DECLARED = {"windows": CP1251, "dos": CP866, "utf-8": UTF8, "utf8": UTF8}
NAMES = {CP1251: "Windows-1251", CP866: "DOS (cp866)", UTF8: "UTF-8"}
# keys that begin lines of any statement: the detector counts them
_KEYS = re.compile(
    r"^\s*(ВерсияФормата|Кодировка|Отправитель|Получатель|Дата|РасчСчет|Документ|Секция"
    r"|Конец|Номер|Сумма|Плательщик|НазначениеПлатежа|Всего|НачальныйОстаток"
    r"|КонечныйОстаток|ВидПлатежа|Очередность)"
)
_ENCODING_LINE = re.compile(r"^\s*Кодировка\s*=(.*)$")


@dataclass(frozen=True)
class Note:
    """An error or warning about one line of the file (numbered from 1)."""

    line: int
    message: str


@dataclass
class Text:
    lines: list[str]  # lines[0] is line 1
    encoding: str  # the codec the file was read with
    declared: str | None  # the codec the header names, if it names a known one
    warnings: list[Note] = field(default_factory=list)


def split_lines(data: bytes) -> list[bytes]:
    parts = data.split(b"\n") if b"\n" in data else data.split(b"\r")
    if parts and parts[-1] == b"":
        parts.pop()
    return [part.replace(b"\r", b"") for part in parts]


SCORED_LINES = 2000  # enough lines to tell the two tables apart, in any real file


def _score(lines: list[bytes], codec: str) -> int:
    return sum(
        1 for raw in lines[:SCORED_LINES] if _KEYS.match(raw.decode(codec, errors="replace"))
    )


def _declared(lines: list[bytes], codec: str) -> tuple[str | None, int]:
    """The codec the header declares and its line number (0 when none)."""
    for number, raw in enumerate(lines[:200], start=1):
        match = _ENCODING_LINE.match(raw.decode(codec, errors="replace"))
        if match:
            return DECLARED.get(match.group(1).strip().lower()), number
    return None, 0


def _file_codec(data: bytes, lines: list[bytes]) -> str:
    if data.startswith(BOM):
        return UTF8
    if data.isascii():  # nothing to tell: what it declares
        declared, _line = _declared(lines, CP1251)
        return declared or CP1251
    try:
        data.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        return UTF8
    windows, dos = _score(lines, CP1251), _score(lines, CP866)
    if windows != dos:
        return CP1251 if windows > dos else CP866
    declared, _line = _declared(lines, CP1251)
    return CP866 if declared == CP866 else CP1251


def _decode_line(raw: bytes, codec: str) -> tuple[str, str | None]:
    """The text of a line and the codec it needed when not the file's (None if it did
    not need another, "?" when none read it). A non-ASCII line of a single-byte file
    that is valid UTF-8 is UTF-8: Cyrillic in cp1251 or cp866 practically never is."""
    candidates = [codec] if codec == UTF8 or raw.isascii() else [UTF8, codec]
    candidates += [other for other in (UTF8, CP1251) if other not in candidates]
    for other in candidates:
        try:
            line = raw.decode(other)
        except UnicodeDecodeError:
            continue
        return line, None if other == codec else other
    return raw.decode(codec, errors="replace"), "?"


def decode(data: bytes) -> Text:
    """Decode a statement file; never raises."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    raw_lines = split_lines(body)
    codec = _file_codec(data, raw_lines)
    declared, declared_line = _declared(raw_lines, codec)
    text = Text(lines=[], encoding=codec, declared=declared)
    if declared is not None and declared != codec:
        text.warnings.append(
            Note(
                declared_line,
                _(
                    "The file declares the encoding {declared} but is written in {actual}; "
                    "read as {actual}"
                ).format(declared=NAMES[declared], actual=NAMES[codec]),
            )
        )
    for number, raw in enumerate(raw_lines, start=1):
        line, other = _decode_line(raw, codec)
        if other == "?":
            text.warnings.append(
                Note(number, _("Characters that no known encoding reads were replaced"))
            )
        elif other is not None:
            text.warnings.append(
                Note(
                    number,
                    _("The line is written in {other}, not {actual}; read as {other}").format(
                        other=NAMES[other], actual=NAMES[codec]
                    ),
                )
            )
        text.lines.append(line.replace("\x00", ""))
    return text
