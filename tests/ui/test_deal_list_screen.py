"""Работы — the deals list: what a manager sees, the filters, the quick filter by words
of the title, and Enter opening the card."""

from __future__ import annotations

import pytest
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle

from qstui.domain.deals import DealFilter
from qstui.domain.enums import DealStatus
from qstui.services.context import Context, context_for
from qstui.services.deals import count_deals, list_deals, overdue_stages


async def open_deals_module(pilot, app) -> None:
    await log_in(pilot, app, "ivanov")
    await pilot.press("f4")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "DealsScreen"


def shown_ids(app) -> list[int]:
    return [row.id for row in app.screen.query_one("#deals-table").loaded_rows]


async def test_f4_lists_only_the_deals_ivanov_sees(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    total = count_deals(ivanov)
    everyone = count_deals(Context.system(demo_db))
    assert 0 < total < everyone
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_deals_module(pilot, app)
        assert f"Deals: {total}" in screen_text(app)
        expected = [r.id for r in list_deals(ivanov, limit=100).rows]
        assert shown_ids(app) == expected
        visible = {r.id for r in list_deals(ivanov, limit=1000).rows}
        assert set(shown_ids(app)) <= visible


async def test_filters_status_overdue_and_words(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    lost = list_deals(ivanov, DealFilter(status=DealStatus.LOST), limit=1000).rows
    late = {s.deal_id for s in overdue_stages(ivanov)}
    assert lost and late
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_deals_module(pilot, app)

        # The filter dialog: Tab to the status drop-down, choose "Lost", apply.
        await pilot.press("f")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        await pilot.press("tab", "tab", "enter", "down", "down", "down", "enter", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealsScreen"
        assert app.screen.flt.status == DealStatus.LOST
        rows = app.screen.query_one("#deals-table").loaded_rows
        assert rows and all(r.status == DealStatus.LOST for r in rows)
        assert [r.id for r in rows] == [r.id for r in lost][:100]
        text = screen_text(app)
        assert f"Deals: {len(lost)}" in text and "status: lost" in text

        # Overdue only (with the status reset): exactly the deals with a late stage.
        await pilot.press("x", "o")
        await settle(pilot, app)
        assert set(shown_ids(app)) == late
        assert f"Deals: {len(late)}" in screen_text(app)
        assert count_deals(ivanov, DealFilter(overdue_only=True)) == len(late)

        # "/" and words of a title: every row has a title word starting with them.
        await pilot.press("x")
        await settle(pilot, app)
        word = list_deals(ivanov, limit=1).rows[0].title.split()[0]
        await pilot.press("slash", *word[:5])
        await settle(pilot, app)
        rows = app.screen.query_one("#deals-table").loaded_rows
        expected = list_deals(ivanov, DealFilter(text=word[:5]), limit=100).rows
        assert [r.id for r in rows] == [r.id for r in expected]
        assert all(
            any(w.lower().startswith(word[:5].lower()) for w in r.title.split()) for r in rows
        )

        # The manager drop-down of the filter dialog: ivanov's own deals only.
        await pilot.press("escape", "x", "f")  # Esc leaves the quick filter for the list
        await settle(pilot, app)
        await pilot.press("enter", "down", "enter", "ctrl+s")
        await settle(pilot, app)
        assert app.screen.flt.manager_id == ivanov.user_id
        rows = app.screen.query_one("#deals-table").loaded_rows
        assert rows and all(r.manager_id == ivanov.user_id for r in rows)
        own = count_deals(ivanov, DealFilter(manager_id=ivanov.user_id))
        assert f"Deals: {own}" in screen_text(app)


async def test_enter_opens_the_deal_card(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_deals_module(pilot, app)
        await pilot.press("down")
        table = app.screen.query_one("#deals-table")
        deal = table.current
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.deal_id == deal.id
        assert deal.title in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealsScreen"
        assert app.screen.query_one("#deals-table").current.id == deal.id


@pytest.mark.one_backend  # what is drawn does not depend on the database
async def test_the_list_fits_small_and_large_terminals_with_its_keys(demo_db):
    for size in (SMALL, LARGE):
        app = make_app(demo_db)
        async with app.run_test(size=size) as pilot:
            await open_deals_module(pilot, app)
            text = screen_text(app)
            for label in ("Find", "Filter", "Status", "Overdue", "Deals:", "Started", "Deal"):
                assert label in text, (size, label)
