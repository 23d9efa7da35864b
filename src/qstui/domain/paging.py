"""Pages of big lists (ARCHITECTURE rule 5): keyset paging on the sort key, both ways.

A list service takes ``cursor`` and ``backward``:
- forward from ``None``: the first rows; forward from a cursor: the rows after it;
- backward from ``None``: the last rows; backward from a cursor: the rows before it.
Rows always come in display order. ``cursors[i]`` is the keyset position of ``rows[i]``
(opaque: pass it back unchanged); ``has_more`` says whether more rows lie beyond the
page in the direction it was fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Cursor = tuple

# A list's total is counted up to this many rows; beyond it a screen shows "10 000+" —
# counting every one of 100 000 rows costs ~0.3 s on Firebird and tells a user nothing
# more. A capped count returns ``COUNT_CAP + 1`` for "more".
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: list[Cursor] = field(default_factory=list)
    has_more: bool = False
    backward: bool = False

    @property
    def next_cursor(self) -> Cursor | None:
        """Where to continue in the fetched direction; None at the end of the list."""
        if not self.has_more or not self.cursors:
            return None
        return self.cursors[0] if self.backward else self.cursors[-1]

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None
