"""Benchmark of what the screens ask the services: every call behind a key press.

    python bench/screens_bench.py --db URL [--as LOGIN ...] [--repeat 5]

Run it on the large demo (``qstui demo --size large``): 100 000 companies. For each
user (default: ``admin``, ``head``, ``ivanov``) it times the client list (first page
for every sort, both directions, the jump to the end, ten pages forward), the quick
filter, find anything, a client card, the start page, the calendar, the deal list and
a deal card, and prints the median and the worst time per call. The interface runs each
of them in a worker, so the screen never freezes, but a user waits for the answer: the
target is 100 ms per call; slower ones are marked with ``!``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from qstui.db.engine import Database
from qstui.db.urls import normalize_url
from qstui.domain import clock
from qstui.domain.clients import ClientFilter, ClientSort, SortKey
from qstui.services import deals, today
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import card as client_card
from qstui.services.clients import companies as clients
from qstui.services.context import Context, context_for
from qstui.services.search import find as search

TARGET_MS = 100.0
QUICK_FILTERS = ("ром", "ромашка", "москва", "+7 495", "ива", "info@")
SEARCHES = ("ромаш", "фёдоров", "поставка", "7707", "925-94", "о")


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and worst milliseconds of ``repeat`` calls (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def ten_pages(ctx: Context) -> None:
    page = clients.list_clients(ctx, limit=100)
    for _ in range(10):
        if not page.has_more:
            break
        page = clients.list_clients(ctx, cursor=page.cursors[-1], limit=100)


def calls(ctx: Context) -> list[tuple[str, Callable[[], Any]]]:
    first = clients.list_clients(ctx, limit=20).rows
    some_id = first[len(first) // 2].id if first else None
    on = clock.today()
    out: list[tuple[str, Callable[[], Any]]] = []
    for key in SortKey:
        for desc in (False, True):
            sort = ClientSort(key, desc)
            name = f"client list, sort {key.value}{' desc' if desc else ''}"
            out.append((name, lambda s=sort: clients.list_clients(ctx, sort=s, limit=100)))
    out += [
        ("client list, jump to the end", lambda: clients.list_clients(ctx, backward=True)),
        ("client list, ten pages forward", lambda: ten_pages(ctx)),
        ("client list, total count", lambda: clients.count_clients(ctx)),
    ]
    for text in QUICK_FILTERS:
        flt = ClientFilter(text=text)
        out.append((f"quick filter {text!r}", lambda f=flt: clients.list_clients(ctx, f)))
    for text in SEARCHES:
        out.append((f"find anything {text!r}", lambda t=text: search.find_anything(ctx, t, 12)))
    if some_id is not None:
        out.append(("client card", lambda: client_card.get_card(ctx, some_id)))
    out += [
        ("start page (today)", lambda: today.today_page(ctx)),
        ("calendar day", lambda: calendar_lists.day(ctx, on)),
        ("calendar week", lambda: calendar_lists.week(ctx, on)),
        ("calendar month", lambda: calendar_lists.month(ctx, on.year, on.month)),
        ("calendar overdue", lambda: calendar_lists.overdue(ctx, limit=200)),
        ("deal list, first page", lambda: deals.list_deals(ctx, limit=100)),
        ("overdue deal stages", lambda: deals.overdue_stages(ctx)),
    ]
    some_deal = deals.list_deals(ctx, limit=20).rows
    if some_deal:
        deal_id = some_deal[len(some_deal) // 2].id
        out.append(("deal card (first paint)", lambda: deals.deal_view(ctx, deal_id)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (the large demo)")
    parser.add_argument("--as", dest="logins", action="append", metavar="LOGIN")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = Database(normalize_url(args.db))
    slow = 0
    for login in args.logins or ["admin", "head", "ivanov"]:
        ctx = context_for(db, login)
        print(f"\n{login}:")
        for name, call in calls(ctx):
            median, worst = timed(call, args.repeat)
            mark = "!" if median > TARGET_MS else " "
            slow += median > TARGET_MS
            print(f" {mark} {name:<40} median {median:8.1f} ms   worst {worst:8.1f} ms")
    print(f"\n{slow} call(s) over {TARGET_MS:.0f} ms (median)")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
