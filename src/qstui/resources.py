"""Files shipped with qstui: default reference books and demo word pools (``data/``)."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def data_root() -> Path:
    """``qstui/data`` inside an installed wheel, else the repository's ``data/``."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def read_csv(relative: str) -> list[dict[str, str]]:
    """Rows of a ``;``-separated UTF-8 CSV file under ``data/``."""
    with (data_root() / relative).open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh, delimiter=";")
        ]


def read_json(relative: str) -> Any:
    with (data_root() / relative).open(encoding="utf-8") as fh:
        return json.load(fh)
