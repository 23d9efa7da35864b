"""Reads are bounded by what the screen shows, not by the size of the tables (issue 9):
the client list, the deal list and search fetch about one page of rows, and a client
card takes the same handful of statements for a company with one deal as for one with
many. Counted with SQLAlchemy events (statements) and at the cursor (rows fetched), on
the small demo, on both backends; never timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import cursor as sa_cursor
from tests.ui.demo_copies import demo_database

from qstui.db.engine import Database
from qstui.db.models import Company, Deal, Event, SearchWord
from qstui.domain.clients import ClientFilter
from qstui.services import deals
from qstui.services.clients import card as client_card
from qstui.services.clients import companies as clients
from qstui.services.context import context_for
from qstui.services.search import find as search

ROWS_PER_LISTED = 25  # a listed row may bring its phones, deals, documents, payments


@pytest.fixture(scope="module")
def demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, frozen_clock: object
) -> Iterator[Database]:
    with demo_database(backend, tmp_path_factory) as db:
        yield db


@dataclass
class Reads:
    statements: int = 0
    rows: int = 0


@contextmanager
def counted(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    """Statements sent and rows fetched from cursors while the block runs."""
    reads = Reads()

    def sent(*_args: object) -> None:
        reads.statements += 1

    def counting(cls: type, name: str) -> None:
        original = getattr(cls, name)

        def fetch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            out = original(self, *args, **kwargs)
            if name == "fetchone":
                reads.rows += out is not None
            else:
                reads.rows += len(out)
            return out

        monkeypatch.setattr(cls, name, fetch)

    for cls in (sa_cursor.CursorFetchStrategy, sa_cursor.BufferedRowCursorFetchStrategy):
        for name in ("fetchone", "fetchmany", "fetchall"):
            if name in vars(cls):
                counting(cls, name)
    event.listen(db.engine, "before_cursor_execute", sent)
    try:
        yield reads
    finally:
        event.remove(db.engine, "before_cursor_execute", sent)


def _table_rows(db: Database) -> int:
    with db.reader() as s:
        return sum(
            s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Company, Deal, Event, SearchWord)
        )


@pytest.mark.parametrize("login", ["ivanov", "admin"])
def test_a_list_page_fetches_about_a_page_of_rows(demo, monkeypatch, login):
    ctx = context_for(demo, login)
    calls = {
        "client list": lambda n: clients.list_clients(ctx, limit=n),
        "quick filter": lambda n: clients.list_clients(ctx, ClientFilter(text="о"), limit=n),
        "deal list": lambda n: deals.list_deals(ctx, limit=n),
        "find anything": lambda n: search.find_anything(ctx, "о", n),
    }
    total = _table_rows(demo)
    for name, call in calls.items():
        call(5)  # warm caches (reference books read once)
        with counted(demo, monkeypatch) as small:
            call(5)
        with counted(demo, monkeypatch) as big:
            call(20)
        # no statement per row; a bigger page may hold one more currency (its rates)
        assert small.statements <= big.statements <= small.statements + 2, name
        # search reads a bounded run of index words first (find.MIN_CANDIDATES)
        bound = 20 * ROWS_PER_LISTED + (search.MIN_CANDIDATES if name == "find anything" else 0)
        assert big.rows <= bound, (name, big.rows)
        assert big.rows < total / 10, (name, big.rows, total)


def test_a_card_takes_the_same_statements_whatever_the_company_holds(demo, monkeypatch):
    ctx = context_for(demo, "admin")
    with demo.reader() as s:
        per_company = (
            select(Deal.company_id, func.count().label("n")).group_by(Deal.company_id).subquery()
        )
        busiest = s.scalar(select(per_company.c.company_id).order_by(per_company.c.n.desc()))
        fewest = s.scalar(select(per_company.c.company_id).order_by(per_company.c.n))
        deals_of = {
            cid: s.scalar(select(func.count()).where(Deal.company_id == cid))
            for cid in (busiest, fewest)
        }
    assert deals_of[busiest] > deals_of[fewest]
    client_card.get_card(ctx, busiest)  # warm caches
    statements = {}
    for company_id in (busiest, fewest):
        with counted(demo, monkeypatch) as reads:
            card = client_card.get_card(ctx, company_id)
        assert len(card.deals) == deals_of[company_id]
        statements[company_id] = reads.statements
    assert statements[busiest] == statements[fewest]
    assert statements[busiest] <= 25
