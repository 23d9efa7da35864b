"""What the suite measures through the services: each operation behind a key press, with
its floor (``bench.floors``) and the keys both must agree on.

A probe's ``run`` returns the keys the screen would show (ids in order), its ``floor``
the same keys by hand-written SQL; the suite checks they are equal where ``same`` says
the floor reads the same rows (find anything's floor is the bare word-index read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from bench import floors
from bench.floors import Sql, Who
from qstui.db.models import AppUser
from qstui.domain import calendar as cal
from qstui.domain import clock
from qstui.domain.clients import ClientFilter
from qstui.domain.paging import COUNT_CAP
from qstui.services import deals, today
from qstui.services.calendar import events as calendar_events
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import card as client_card
from qstui.services.clients import companies as clients
from qstui.services.context import Context
from qstui.services.search import find as search
from qstui.services.visibility import visible_user_ids

EPOCH = datetime(1970, 1, 1)
QUICK_FILTER = "ром"
FINDS = ("фёд", "ромаш", "7707", "495 1")


@dataclass(frozen=True)
class Probe:
    name: str
    kind: str  # the target class: type, card, list, write (bench.targets)
    run: Callable[[], list[Any]]
    floor: Callable[[Sql], list[Any]] | None = None
    same: bool = True  # the floor reads the very rows the service shows


@dataclass(frozen=True)
class Samples:
    """Records the probes open: a company in the middle of the first page, a deal."""

    company_id: int
    deal_id: int

    @classmethod
    def of(cls, ctx: Context) -> Samples:
        page = clients.list_clients(ctx, limit=40).rows
        deal_page = deals.list_deals(ctx, limit=40).rows
        return cls(page[len(page) // 2].id, deal_page[len(deal_page) // 2].id)


def who_of(ctx: Context) -> Who:
    return Who(ctx.user_id, visible_user_ids(ctx))


def _month_by_day(rows: list[Any]) -> list[Any]:
    """Per-hour counts → per local day totals (as the month grid shows them)."""
    totals: dict[Any, int] = {}
    for hours, status, count in rows:
        if status == "cancelled":
            continue
        day = cal.to_local(EPOCH + timedelta(hours=int(hours))).date()
        totals[day] = totals.get(day, 0) + int(count)
    return sorted(totals.items())


def probes(ctx: Context, samples: Samples) -> list[Probe]:
    who = who_of(ctx)
    now = clock.utcnow()
    day = clock.today()
    start, end = cal.day_range(day, day)
    month_first = day.replace(day=1)
    month_start, month_end = cal.day_range(month_first, cal.month_last(day.year, day.month))
    out = [
        Probe(
            "client list, first page",
            "list",
            lambda: [r.id for r in clients.list_clients(ctx).rows],
            lambda q: floors.client_page(q, who),
        ),
        Probe(
            f"client list, quick filter «{QUICK_FILTER}»",
            "type",
            lambda: [r.id for r in clients.list_clients(ctx, ClientFilter(text=QUICK_FILTER)).rows],
            lambda q: floors.quick_filter(q, who, QUICK_FILTER),
        ),
        Probe(
            "client count",
            "list",
            lambda: [clients.count_clients(ctx, cap=COUNT_CAP)],
            lambda q: floors.client_count(q, who, COUNT_CAP),
        ),
    ]
    for text in FINDS:
        out.append(
            Probe(
                f"find anything «{text}»",
                "type",
                lambda t=text: [h.id for h in search.find_anything(ctx, t, 12)],
                lambda q, t=text: floors.find_words(q, who, search.terms(t)[0], 12),
                same=False,
            )
        )
    out += [
        Probe(
            "client card",
            "card",
            lambda: _card_keys(client_card.get_card(ctx, samples.company_id)),
            lambda q: floors.client_card(q, who, samples.company_id),
        ),
        Probe(
            "deal list, first page",
            "list",
            lambda: [r.id for r in deals.list_deals(ctx).rows],
            lambda q: floors.deal_list(q, who, day),
        ),
        Probe(
            "deal card",
            "card",
            lambda: _deal_keys(deals.deal_view(ctx, samples.deal_id)),
            lambda q: floors.deal_card(q, who, samples.deal_id),
        ),
    ]
    if ctx.user_id is not None:
        out += [
            Probe(
                "calendar month",
                "list",
                lambda: _month_keys(calendar_lists.month(ctx, day.year, day.month)),
                lambda q: _month_by_day(floors.hour_counts(q, ctx.user_id, month_start, month_end)),
            ),
            Probe(
                "start page (Today)",
                "list",
                lambda: _today_keys(today.today_page(ctx)),
                lambda q: (
                    floors.today_page(q, who, start, end, day, today.START_CAP)
                    + floors.idle_clients(
                        q, who, now - timedelta(days=_idle_days(ctx)), today.START_CAP
                    )
                ),
            ),
            Probe(
                "start page, open deals' money",
                "list",
                lambda: [(t.currency_code, t.count) for t in today.open_deal_totals(ctx)],
                lambda q: floors.open_deal_totals(q, who),
            ),
        ]
    out += [
        Probe(
            "save a client",
            "write",
            _Saver(ctx, samples.company_id),
            lambda q: floors.save_client(q, samples.company_id, "bench"),
            same=False,
        ),
        Probe(
            "log an interaction",
            "write",
            lambda: [
                calendar_events.log_interaction(ctx, samples.company_id, "call", "bench") and 1
            ],
        ),
    ]
    return out


def _card_keys(card: Any) -> list[int]:
    return [card.id, *(d.id for d in card.deals), *(h.id for h in card.history)]


def _deal_keys(view: Any) -> list[int]:
    reached = sorted(s.deal_stage_id for s in view.card.stages if s.deal_stage_id)
    return [view.card.id, *reached]


def _month_keys(view: Any) -> list[Any]:
    return sorted((a.day, a.total) for a in view.days if a.total)


def _today_keys(page: Any) -> list[int]:
    return [
        *(e.id for e in page.plans),
        *(e.id for e in page.overdue),
        *(s.deal_stage_id for s in page.overdue_stages),
        *(c.company_id for c in page.idle_clients),
    ]


def _idle_days(ctx: Context) -> int:
    with ctx.db.reader() as s:
        return int(s.scalar(select(AppUser.idle_days).where(AppUser.id == ctx.user_id)) or 0)


class _Saver:
    """Saves a client again and again, each time under the version the last save gave
    (as a user who edits the card twice)."""

    def __init__(self, ctx: Context, company_id: int) -> None:
        self.ctx, self.company_id = ctx, company_id
        self.version = client_card.get_card(ctx, company_id).version

    def __call__(self) -> list[int]:
        self.version = clients.update_company(
            self.ctx, self.company_id, self.version, notes=f"bench {self.version}"
        )
        return [self.company_id]


def floor_of(probe: Probe, conn: Connection) -> list[Any]:
    assert probe.floor is not None
    return probe.floor(Sql(conn))
