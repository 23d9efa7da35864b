"""Shared helpers of the demo generator: ids, timestamps, weighted picks, money."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Integer, func, select

from qstui.db.models import metadata
from qstui.domain.normalize import fold
from qstui.services.search import index as search_index

T = TypeVar("T")

# Demo working hours are Moscow time; timestamps are stored as naive UTC.
MSK = timedelta(hours=3)
KOPECK = Decimal("0.01")


class Ids:
    """Explicit ids for new rows: each table continues after its current max id."""

    def __init__(self, conn: Connection) -> None:
        self._next: dict[str, int] = {}
        for table in metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].name == "id" and isinstance(pk[0].type, Integer):
                self._next[table.name] = (conn.scalar(select(func.max(pk[0]))) or 0) + 1

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def last(self) -> dict[str, int]:
        """The highest id given (or found) per table."""
        return {table: value - 1 for table, value in self._next.items()}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """Moscow wall-clock time on ``day`` as naive UTC."""
    return datetime.combine(day, time(hour, minute)) - MSK


def stamp(at: datetime, by: int | None = None) -> dict[str, Any]:
    """The columns of every editable row, set explicitly (so runs are reproducible)."""
    return {"version": 1, "created_at": at, "updated_at": at, "updated_by": by}


def working_day(day: date) -> date:
    """``day`` moved off a weekend (Saturday → Friday, Sunday → Monday)."""
    weekday = day.weekday()
    if weekday == 5:
        return day - timedelta(days=1)
    if weekday == 6:
        return day + timedelta(days=1)
    return day


def pick(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights)[0]


class Weighted(Generic[T]):
    """A fixed weighted choice, its cumulative weights computed once (hot paths)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cum, rng.random() * self.total, 0, len(self.cum) - 1)]


def money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def share(total: int, part: int, parts: int) -> int:
    """How many of ``total`` items fall into chunk ``part`` of ``parts`` (the chunks add
    up exactly to ``total``)."""
    return total * (part + 1) // parts - total * part // parts


def spread(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """``n`` counts in [low, high] adding up exactly to ``total`` (clamped if impossible)."""
    if n == 0:
        return []
    total = min(max(total, low * n), high * n)
    mean = total / n
    counts = [min(high, max(low, round(rng.triangular(low, high, mean)))) for _ in range(n)]
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(n)
        if diff > 0 and counts[i] < high:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > low:
            counts[i] -= 1
            diff += 1
    return counts


def day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


class Batch:
    """Rows generated for one chunk, per table, in the order they must be written."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = {}

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.tables.setdefault(table, []).append(row)
        return row

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables.get(table, [])


@lru_cache(maxsize=200_000)
def folded(text: str) -> str:
    """``normalize.fold`` remembered: cities, names and deal titles repeat a lot."""
    return fold(text)


@lru_cache(maxsize=200_000)
def text_words(text: str) -> frozenset[str]:
    """``search_index.text_words`` of one text, remembered."""
    return frozenset(search_index.text_words(text))
