"""Reading a CSV file someone saved from a spreadsheet: the bytes (never more than a
limit, so ``/dev/zero`` cannot fill the memory), the text in UTF-8 (BOM or not) or
Windows-1251, the separator (``;``, ``,`` or a tab) and the records with the line each
starts on. The client import and the reference-book import read files this way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qstui.domain.errors import ValidationFailed
from qstui.i18n import _

MAX_FILE_BYTES = 64 * 1024 * 1024  # MAX_LINES lines of ~300 bytes; bigger files go in parts


def read_source(source: str | Path | bytes) -> bytes:
    """The bytes to import: a file is read up to ``MAX_FILE_BYTES`` and refused beyond
    (never read whole, so ``/dev/zero`` cannot fill the memory)."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            with Path(source).open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ValidationFailed(
                {"file": _("Cannot read the file: {reason}").format(reason=reason)}
            ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(
            {
                "file": _("The file is larger than {n} MB: split it into parts").format(
                    n=MAX_FILE_BYTES // 2**20
                )
            }
        )
    return data


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and its encoding: UTF-8 (BOM or not), else Windows-1251."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ";"))
    return best if counts[best] else ";"


def records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """``(the line a record starts on, its cells)``; a record the csv module cannot read
    stops the import with one message naming that line."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                problem = _("a cell is longer than {n} characters (is a quote left open?)").format(
                    n=csv.field_size_limit()
                )
            else:
                problem = _("it cannot be read as CSV ({detail})").format(detail=exc)
            raise ValidationFailed(
                {"file": _("Line {n}: {problem}").format(n=start, problem=problem)}
            ) from None
        yield start, cells


def runs_together(cells: list[str], width: int, delimiter: str) -> bool:
    """Whether a record spanning several lines is lines run together by a quote left
    open: its cell count is not the header's, or a line inside a cell holds a whole
    record's separators."""
    if len(cells) != width:
        return True
    return any(
        line.count(delimiter) >= width - 1 for cell in cells for line in cell.splitlines()[1:]
    )


def csv_reader(data: bytes) -> tuple[Any, str, str]:
    """``(a csv reader over the text, its encoding, its separator)``; ValidationFailed
    when the file is not text or is empty."""
    content, encoding = decode(data)
    if "\x00" in content:
        raise ValidationFailed(
            {"file": _("The file is not text: save it as CSV in UTF-8 or Windows-1251")}
        )
    first = next((line for line in content.splitlines() if line.strip()), "")
    if not first:
        raise ValidationFailed({"file": _("The file is empty")})
    delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    return reader, encoding, delimiter
