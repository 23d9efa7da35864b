"""The simulated managers: a thread each, with its own connection, running a mix of
operations through the services and noting what every call took and how it ended."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import URL

from bench.concurrent.plan import LOGINS, LoginPlan, Plan, prepare
from qstui.db.engine import Database
from qstui.domain import clock
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.domain.errors import Conflict
from qstui.services.calendar.events import log_interaction
from qstui.services.clients.card import get_card
from qstui.services.clients.companies import update_company
from qstui.services.context import Context, context_for
from qstui.services.deals.payments import add_payment
from qstui.services.deals.stages import move_to_stage
from qstui.services.deals.view import get_deal
from qstui.services.search.find import find_anything

OPERATIONS = (
    "find",
    "open_card",
    "open_deal",
    "log_interaction",
    "edit_company",
    "move_stage",
    "add_payment",
)
# What a manager does next; an edit opens the card first, a move opens the deal first.
MIX = {
    "find": 30,
    "open_card": 20,
    "log_interaction": 15,
    "edit_company": 12,
    "move_stage": 12,
    "add_payment": 11,
}
HOT_SHARE = 0.35  # how often a manager picks a record of the hot set
# A manager reads what an operation showed before the next one: 2–8 s by default
# (``--think``); a few hundred ms turns the run into a stress test of the 2 cores.
THINK_SECONDS = (2.0, 8.0)


@dataclass(frozen=True)
class Write:
    """A write as its manager saw it: acknowledged (``record`` is the row it wrote) or
    refused as a conflict (``record`` is the company or deal it tried to write to)."""

    op: str
    record: int
    token: str  # the run-unique text it wrote: subject, notes, purpose
    parent: int | None = None  # the company of an interaction, the deal of a payment
    value: Any = None  # the stage moved to, the amount paid
    version: int | None = None  # the new version of an edited company or moved deal
    hot: bool = False


@dataclass
class Tally:
    """What managers did: milliseconds per operation, outcomes, writes, failures."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (op, outcome)
    acknowledged: list[Write] = field(default_factory=list)
    refused: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        for op, values in other.ms.items():
            self.ms[op] += values
        self.outcomes.update(other.outcomes)
        self.acknowledged += other.acknowledged
        self.refused += other.refused
        self.errors += other.errors


@dataclass(frozen=True)
class Run:
    plan: Plan
    users: int
    seconds: float  # how long the load ran
    started_at: datetime  # UTC, by the qstui clock
    tally: Tally


class Manager(threading.Thread):
    """One simulated manager: every operation once (in a random order), then the random
    mix until ``deadline`` (a ``time.monotonic()`` value)."""

    def __init__(
        self,
        number: int,
        ctx: Context,
        plan: Plan,
        seed: int,
        think: tuple[float, float] = THINK_SECONDS,
    ) -> None:
        super().__init__(name=f"manager-{number:02d}", daemon=True)
        self.think_seconds = think
        self.number = number
        self.ctx = ctx
        self.plan = plan
        self.work: LoginPlan = plan.logins[ctx.login]
        self.rng = random.Random(seed * 1000 + number)
        self.tally = Tally()
        self.deadline = 0.0
        self.go = threading.Event()
        self.seq = 0

    def run(self) -> None:
        self.go.wait()
        tour = list(MIX)
        self.rng.shuffle(tour)
        try:
            while tour or time.monotonic() < self.deadline:
                op = tour.pop() if tour else self.rng.choices(list(MIX), list(MIX.values()))[0]
                getattr(self, op)()
                self.think()
        except Exception as exc:  # a bug of the benchmark itself: reported, not hidden
            self.tally.errors.append(f"{self.name} stopped: {type(exc).__name__}: {exc}")

    # --- the operations ------------------------------------------------------------------

    def find(self) -> None:
        self.call("find", find_anything, self.ctx, self.rng.choice(self.work.queries))

    def open_card(self) -> None:
        company_id, _hot = self.pick(self.work.companies, self.work.hot_companies)
        self.call("open_card", get_card, self.ctx, company_id)

    def log_interaction(self) -> None:
        company_id, hot = self.pick(self.work.companies, self.work.hot_companies)
        token = self.token()
        event_id = self.write(
            "log_interaction", company_id, token, hot, log_interaction, "call", token
        )
        if event_id is not None:
            self.tally.acknowledged.append(
                Write("log_interaction", event_id, token, parent=company_id, hot=hot)
            )

    def edit_company(self) -> None:
        company_id, hot = self.pick(self.work.companies, self.work.hot_companies)
        card = self.call("open_card", get_card, self.ctx, company_id)
        if card is None:
            return
        self.think()
        token = self.token()
        version = self.write(
            "edit_company", company_id, token, hot, update_company, card.version, notes=token
        )
        if version is not None:
            self.tally.acknowledged.append(
                Write("edit_company", company_id, token, version=version, hot=hot)
            )

    def move_stage(self) -> None:
        deal_id, hot = self.pick(self.work.deals, self.work.hot_deals)
        card = self.call("open_deal", get_deal, self.ctx, deal_id)
        if card is None or card.status != DealStatus.OPEN:
            return
        targets = [
            st.stage_id
            for st in card.stages
            if st.stage_id != card.stage_id and st.stage_id in self.plan.active_stages
        ]
        if not targets:
            return
        self.think()
        stage_id = self.rng.choice(targets)
        token = self.token()
        version = self.write(
            "move_stage", deal_id, token, hot, move_to_stage, card.version, stage_id
        )
        if version is not None:
            self.tally.acknowledged.append(
                Write("move_stage", deal_id, token, value=stage_id, version=version, hot=hot)
            )

    def add_payment(self) -> None:
        deal_id, hot = self.pick(self.work.deals, self.work.hot_deals)
        amount = Decimal(self.rng.randint(100_00, 50_000_00)) / 100
        token = self.token()
        payment_id = self.write(
            "add_payment",
            deal_id,
            token,
            hot,
            add_payment,
            PaymentKind.ACTUAL,
            clock.today(),
            amount,
            purpose=token,
        )
        if payment_id is not None:
            self.tally.acknowledged.append(
                Write("add_payment", payment_id, token, parent=deal_id, value=amount, hot=hot)
            )

    # --- timing and classifying ----------------------------------------------------------

    def call(self, op: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` timed; its result, or None if refused or failed."""
        return self.timed(op, fn, *args, **kwargs)[1]

    def timed(self, op: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """(outcome, result) of ``fn(*args, **kwargs)``: "ok", "conflict" or "error"."""
        started = time.perf_counter()
        outcome, result = "ok", None
        try:
            result = fn(*args, **kwargs)
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # counted and printed: a healthy run has none
            outcome = "error"
            self.tally.errors.append(f"{self.name} {op}: {type(exc).__name__}: {exc}")
        self.tally.ms[op].append((time.perf_counter() - started) * 1000)
        self.tally.outcomes[(op, outcome)] += 1
        return outcome, result

    def write(
        self,
        op: str,
        target: int,
        token: str,
        hot: bool,
        fn: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """``fn(ctx, target, *args, **kwargs)``: a write to a company or a deal. Its
        result when acknowledged; a refusal is noted with the token it would have
        written."""
        outcome, result = self.timed(op, fn, self.ctx, target, *args, **kwargs)
        if outcome == "conflict":
            self.tally.refused.append(Write(op, target, token, hot=hot))
            if hot:
                self.tally.outcomes[(op, "conflict_hot")] += 1
        return result if outcome == "ok" else None

    def pick(self, pool: list[int], hot: list[int]) -> tuple[int, bool]:
        if hot and self.rng.random() < HOT_SHARE:
            return self.rng.choice(hot), True
        return self.rng.choice(pool), False

    def token(self) -> str:
        self.seq += 1
        return f"{self.plan.tag} m{self.number:02d} #{self.seq}"

    def think(self) -> None:
        time.sleep(self.rng.uniform(*self.think_seconds))


def run(
    url: URL,
    users: int,
    seconds: float,
    seed: int = 1,
    think: tuple[float, float] = THINK_SECONDS,
) -> Run:
    """Prepare, start ``users`` managers (each with its own ``Database``), let them work
    for ``seconds``, wait for their last operations and return what they noted."""
    admin = Database(url)
    try:
        plan = prepare(admin, seed)
    finally:
        admin.dispose()
    databases: list[Database] = []
    tally = Tally()
    try:
        managers = []
        for number in range(users):
            databases.append(Database(url))
            ctx = context_for(databases[-1], LOGINS[number % len(LOGINS)])
            managers.append(Manager(number, ctx, plan, seed, think))
        for manager in managers:
            manager.start()
        started_at = clock.utcnow()
        started = time.monotonic()
        for manager in managers:
            manager.deadline = started + seconds
            manager.go.set()
        for manager in managers:
            manager.join()
            tally.merge(manager.tally)
        elapsed = time.monotonic() - started
    finally:
        for db in databases:
            db.dispose()
    return Run(plan, users, elapsed, started_at, tally)
