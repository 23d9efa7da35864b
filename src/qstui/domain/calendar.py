"""Calendar and interactions (K1–K4) as the services hand them out, and local time.

Moments are stored as naive UTC (``qstui.domain.clock.utcnow``); people plan and read
them in local wall-clock time. ``to_local`` / ``to_utc`` (from ``qstui.domain.clock``)
convert between the two in the configured zone. Calendar days, weeks (Monday–Sunday)
and months are local; the services turn them into UTC ranges on ``events.event_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qstui.domain.clock import to_local, to_utc
from qstui.domain.enums import EventStatus

if TYPE_CHECKING:
    from qstui.domain.deals import OverdueStage

# --- local time --------------------------------------------------------------------------


def local_day(moment: datetime) -> date:
    """The local calendar day of a naive UTC moment."""
    return to_local(moment).date()


def day_start(day: date) -> datetime:
    """The UTC moment the local ``day`` begins."""
    return to_utc(datetime.combine(day, time()))


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC covering the local days ``first``..``last``."""
    return day_start(first), day_start(last + timedelta(days=1))


def week_first(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_last(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def next_working_day(day: date) -> date:
    """The first Monday–Friday after ``day``."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


# --- interactions and plans --------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    """The fields of a new plan (``services.calendar.plan_event(ctx, **input.kwargs())``),
    e.g. the next plan a completion suggests; a form may change any field first."""

    company_id: int | None
    event_type: str | int
    subject: str
    event_at: datetime  # UTC
    remind_minutes: int | None = 15
    contact_id: int | None = None
    deal_id: int | None = None
    product_id: int | None = None
    notes: str | None = None
    responsible_id: int | None = None
    duration_min: int | None = None

    def kwargs(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class EventRow:
    """One line of a calendar, a history tab or an overdue list."""

    id: int
    version: int
    event_at: datetime  # UTC, as stored
    local_at: datetime  # the same moment in local time (what people read)
    status: EventStatus
    overdue: bool  # planned and event_at < now
    type_id: int
    type_code: str
    type_name: str
    subject: str
    company_id: int | None
    company_name: str | None
    contact_id: int | None
    contact_name: str | None
    deal_id: int | None
    deal_title: str | None
    responsible_id: int
    responsible_name: str
    result_id: int | None = None
    result_name: str | None = None
    result_text: str | None = None
    done_at: datetime | None = None
    remind_at: datetime | None = None
    duration_min: int | None = None

    @property
    def day(self) -> date:
        return self.local_at.date()

    @property
    def result(self) -> str:
        """The result as one text: «name: text», either part, or empty."""
        return ": ".join(part for part in (self.result_name, self.result_text) if part)


@dataclass(frozen=True)
class EventCard:
    """An event with everything its editor shows."""

    row: EventRow
    product_id: int | None
    product_name: str | None
    notes: str | None
    activity_id: int | None
    created_at: datetime
    created_by_name: str | None
    updated_at: datetime

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def version(self) -> int:
        return self.row.version

    @property
    def remind_minutes(self) -> int | None:
        if self.row.remind_at is None:
            return None
        return int((self.row.event_at - self.row.remind_at).total_seconds() // 60)


@dataclass(frozen=True)
class Completion:
    """The result of completing a plan: the event's new version and the next plan the
    application suggests (K2: "offers to plan the next one")."""

    event_id: int
    version: int
    next_plan: EventInput


@dataclass(frozen=True)
class DayCounts:
    """How many events a day (or a period) holds, whatever rows were loaded."""

    planned: int = 0  # the overdue ones included
    done: int = 0
    cancelled: int = 0  # 0 when the view leaves cancelled plans out
    overdue: int = 0  # planned before now

    @property
    def total(self) -> int:
        return self.planned + self.done + self.cancelled

    @classmethod
    def of(cls, events: Iterable[EventRow]) -> DayCounts:
        by_status = {status: 0 for status in EventStatus}
        overdue = 0
        for event in events:
            by_status[event.status] += 1
            overdue += event.overdue
        return cls(
            planned=by_status[EventStatus.PLANNED],
            done=by_status[EventStatus.DONE],
            cancelled=by_status[EventStatus.CANCELLED],
            overdue=overdue,
        )

    def __add__(self, other: DayCounts) -> DayCounts:
        return DayCounts(
            self.planned + other.planned,
            self.done + other.done,
            self.cancelled + other.cancelled,
            self.overdue + other.overdue,
        )


@dataclass(frozen=True)
class DayAgenda:
    """A local day: its events in time order — all of them, the first few of a crowded
    day, or none (a month grid needs the counts only) — and its true counts."""

    day: date  # local
    events: tuple[EventRow, ...] = ()
    counts: DayCounts | None = None  # None: counted from ``events`` (all of the day's)

    def __post_init__(self) -> None:
        if self.counts is None:
            object.__setattr__(self, "counts", DayCounts.of(self.events))

    @property
    def tally(self) -> DayCounts:
        assert self.counts is not None  # set in __post_init__
        return self.counts

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def planned(self) -> int:
        return self.tally.planned

    @property
    def done(self) -> int:
        return self.tally.done

    @property
    def cancelled(self) -> int:
        return self.tally.cancelled

    @property
    def overdue(self) -> int:
        return self.tally.overdue

    @property
    def more(self) -> int:
        """The day's events that were not loaded (a screen says «ещё N»)."""
        return max(0, self.total - len(self.events))


@dataclass(frozen=True)
class PeriodView:
    """A day, a week (Monday–Sunday) or a month: every local day of ``first``..``last``
    in order, each with its counts and its events as far as they were loaded (empty
    days included, for a month grid)."""

    first: date
    last: date
    user_id: int | None  # whose calendar; None: every visible manager
    days: tuple[DayAgenda, ...] = ()

    @property
    def events(self) -> list[EventRow]:
        """The loaded events (see ``DayAgenda.more`` for those left out)."""
        return [event for agenda in self.days for event in agenda.events]

    @property
    def counts(self) -> DayCounts:
        return sum((agenda.tally for agenda in self.days), DayCounts())

    @property
    def more(self) -> int:
        return sum(agenda.more for agenda in self.days)

    def agenda(self, day: date) -> DayAgenda:
        for agenda in self.days:
            if agenda.day == day:
                return agenda
        raise KeyError(day)


# --- reference books ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventTypeInfo:
    id: int
    version: int
    code: str
    name: str  # Russian
    name_en: str | None
    is_system: bool
    is_active: bool
    sort_no: int
    label: str  # the name in the interface language


@dataclass(frozen=True)
class EventResultInfo:
    id: int
    version: int
    name: str
    is_active: bool


# --- contact analysis (K4) ---------------------------------------------------------------


@dataclass(frozen=True)
class ContactStats:
    """One manager's interactions in a period: done ones per type code (every type the
    report shows, zeros included, in the reference book's order), their total, and the
    plans overdue now."""

    user_id: int
    login: str
    full_name: str
    by_type: dict[str, int] = field(default_factory=dict)
    total: int = 0
    overdue: int = 0

    def count(self, type_code: str) -> int:
        return self.by_type.get(type_code, 0)

    @property
    def calls(self) -> int:
        return self.count("call")

    @property
    def meetings(self) -> int:
        return self.count("meeting")


# --- the start page ----------------------------------------------------------------------


@dataclass(frozen=True)
class IdleClient:
    """A client with no contact for the manager's ``idle_days`` (C8)."""

    company_id: int
    name: str
    last_contact_at: datetime | None  # UTC; None: never contacted
    idle_days: int | None  # whole days since the last contact; None: never


@dataclass(frozen=True)
class MoneyTotal:
    currency_code: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class TodayPage:
    """The start page: what a manager has to do today."""

    day: date  # local
    now: datetime  # UTC
    user_id: int | None
    plans: tuple[EventRow, ...] = ()  # planned for today (earlier hours flagged overdue)
    overdue: tuple[EventRow, ...] = ()  # planned before today (the oldest first, capped)
    overdue_count: int = 0  # counted up to a cap (services.today.START_CAP) + 1
    overdue_stages: tuple[OverdueStage, ...] = ()  # of my open deals (the longest late first)
    idle_days: int = 0
    idle_count: int = 0  # counted up to the cap + 1, as overdue_count
    idle_clients: tuple[IdleClient, ...] = ()  # the first few, longest forgotten first


@dataclass(frozen=True)
class ManagerRef:
    """A user whose calendar the current user may open."""

    id: int
    login: str
    full_name: str
