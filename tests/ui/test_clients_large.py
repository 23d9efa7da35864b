"""The client list over a LARGE number of companies (C1, ARCHITECTURE rule 5): the
table jumps to the end and scrolls page by page without ever loading the whole list.

The companies are bulk-inserted for one manager (ivanov) into the small demo: 100 000
on SQLite; 20 000 on Firebird, where inserting 100 000 takes about 90 s (the Python
driver: FIREBIRD.md) — too slow for CI — while 20 000 take under 20 s and still are 200
pages of the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle

from qstui.db.bulk import insert_rows, restart_identity
from qstui.db.engine import Database
from qstui.db.models import AppUser, Company
from qstui.domain.clock import utcnow
from qstui.domain.normalize import company_name, fold
from qstui.domain.paging import COUNT_CAP
from qstui.services.clients.companies import count_clients, list_clients
from qstui.services.context import context_for
from qstui.widgets.paged_table import MAX_ROWS, PAGE_SIZE

MANY = {"sqlite": 100_000, "firebird": 20_000}


@pytest.fixture(scope="module")
def big_db(demo_db: Database) -> Iterator[Database]:
    """The demo with MANY more companies of ivanov (explicit ids, minimal columns)."""
    many = MANY[demo_db.backend]
    now = utcnow()
    with demo_db.engine.connect() as conn:
        ivanov = conn.scalar(select(AppUser.id).where(AppUser.login == "ivanov"))
        first = (conn.scalar(select(func.max(Company.id))) or 0) + 1
        rows = []
        for i in range(many):
            name = f"Массовая {i:06d}"
            rows.append(
                {
                    "id": first + i,
                    "name": name,
                    "name_fold": fold(name),
                    "name_key": company_name(name),
                    "manager_id": ivanov,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        insert_rows(conn, Company.__table__, rows)
        conn.commit()
        restart_identity(conn, Company.__table__)
        conn.commit()
    yield demo_db


async def _open_list(pilot: Any, app: Any) -> Any:
    await log_in(pilot, app, "ivanov")
    await pilot.press("f2")
    await settle(pilot, app)
    return app.screen.query_one("#clients-table")


async def test_jump_to_the_end_without_loading_the_list(big_db):
    ctx = context_for(big_db, "ivanov")
    total = count_clients(ctx)
    assert total > MANY[big_db.backend]
    last = list_clients(ctx, backward=True, limit=3).rows
    app = make_app(big_db)
    async with app.run_test(size=SMALL) as pilot:
        table = await _open_list(pilot, app)
        assert table.rows_fetched == PAGE_SIZE
        assert total > COUNT_CAP  # counted up to the cap, not on to the end
        assert f"{COUNT_CAP:,}+ clients" in screen_text(app)

        await pilot.press("ctrl+end")
        await settle(pilot, app)
        assert table.current.id == last[-1].id
        assert last[-1].name[:16] in screen_text(app)  # 80 columns: the name cut at 17
        for _ in range(3):
            await pilot.press("pageup")
            await settle(pilot, app)
        await pilot.press("ctrl+end")
        await settle(pilot, app)
        assert table.current.id == last[-1].id
        assert last[-1].name[:16] in screen_text(app)
        assert table.rows_fetched < 1000  # never the whole list

        await pilot.press("ctrl+home")
        await settle(pilot, app)
        assert table.current.id == list_clients(ctx, limit=1).rows[0].id
        assert table.rows_fetched < 1000


async def test_scrolling_page_by_page_keeps_a_bounded_window(big_db):
    ctx = context_for(big_db, "ivanov")
    app = make_app(big_db)
    async with app.run_test(size=LARGE) as pilot:
        table = await _open_list(pilot, app)
        seen: list[int] = []
        for _ in range(20):
            await pilot.press("pagedown")
            await settle(pilot, app)
            assert len(table.loaded_rows) <= MAX_ROWS
            seen.append(table.current.id)
        window = table.loaded_rows
        assert len(window) <= MAX_ROWS
        assert table.rows_fetched > MAX_ROWS  # it did page on, dropping rows behind
        assert table.rows_fetched < 2000
        # the window is a contiguous stretch of the list, in the list's order
        ids: list[int] = []
        cursor = None
        while len(ids) < 3000:
            page = list_clients(ctx, cursor=cursor, limit=1000)
            ids += [r.id for r in page.rows]
            cursor = page.next_cursor
        start = ids.index(window[0].id)
        assert [r.id for r in window] == ids[start : start + len(window)]
        assert seen == sorted(seen, key=ids.index)  # always forward
        assert table.current.name in screen_text(app)
