"""What the chunks of demo clients share: reference rows, staff, products, rates,
groups and the running counters (document numbers, used INNs)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from qstui.demo.pools import Pools
from qstui.demo.refs import Refs
from qstui.demo.rows import Ids, Weighted

MANAGERS = ("ivanov", "petrova", "sidorov")


@dataclass(frozen=True)
class Staff:
    ids: dict[str, int]  # login → user id
    sales_dept: int
    regional_dept: int

    @property
    def head(self) -> int:
        return self.ids["head"]

    @property
    def admin(self) -> int:
        return self.ids["admin"]

    @property
    def managers(self) -> tuple[int, ...]:
        return tuple(self.ids[login] for login in MANAGERS)

    @property
    def sellers(self) -> tuple[int, ...]:
        """Everyone who owns clients: the managers and the head of sales."""
        return (*self.managers, self.head)


@dataclass(frozen=True)
class ProductRef:
    id: int
    name: str
    short: str  # for deal titles: the name without the parenthesised details
    price: Decimal
    currency: str
    vat: Decimal
    is_service: bool
    unit_okei: str


@dataclass
class Rates:
    """Daily rates (base-currency units per 1 unit) of every non-base currency."""

    base: str
    series: dict[str, tuple[list[date], list[Decimal]]] = field(default_factory=dict)

    def rate(self, code: str, day: date) -> Decimal:
        if code == self.base or code not in self.series:
            return Decimal(1)
        days, values = self.series[code]
        i = bisect.bisect_right(days, day) - 1
        return values[max(i, 0)]

    def convert(self, amount: Decimal, source: str, target: str, day: date) -> Decimal:
        if source == target:
            return amount
        return amount * self.rate(source, day) / self.rate(target, day)


@dataclass(frozen=True)
class Groups:
    vip: int
    expo: int
    personal: dict[int, int]  # owner user id → group id
    activity_id: int
    activity_on: date


@dataclass
class World:
    today: date
    now: datetime  # the demo's "now": the morning of ``today`` (naive UTC)
    pools: Pools
    refs: Refs
    ids: Ids
    staff: Staff
    products: tuple[ProductRef, ...] = ()
    rates: Rates | None = None
    fields: dict[str, int] = field(default_factory=dict)  # custom field code → id
    groups: Groups | None = None
    counters: dict[str, int] = field(default_factory=dict)
    used_inns: set[str] = field(default_factory=set)
    open_stage: dict[int, int] = field(default_factory=dict)  # pipeline → next open stage
    # Event kinds every seller must get ("today" plans, "overdue" plans), filled first.
    pending: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        forms = self.pools.legal_forms
        self.pick_form = Weighted(forms, [f.weight for f in forms])
        self.pick_city = Weighted(self.pools.cities, self.pools.city_weights)

    def next_no(self, counter: str) -> int:
        value = self.counters.get(counter, 0) + 1
        self.counters[counter] = value
        return value
