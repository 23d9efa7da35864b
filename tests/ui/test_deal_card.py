"""The deal card (D1–D8), driven as a manager would: products, payments and the debt,
losing a deal, moving it through the stages, the КП export, and a deal one may not
see."""

from __future__ import annotations

import html
import threading
from datetime import date
from decimal import Decimal

import pytest
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle, shown
from textual.screen import Screen

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealFilter, item_amount
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.services.context import Context, context_for
from qstui.services.deals import get_deal, list_deals, update_deal
from qstui.services.deals.choices import product_choices
from qstui.services.deals.debt import deal_debt
from qstui.services.deals.view import deal_view
from qstui.services.refbooks.pipelines import list_refusal_reasons
from qstui.ui.service_calls import ServiceCalls


def open_deals(ctx: Context, n: int) -> list[int]:
    """Ids of ``n`` open deals of the user's own, without payments or documents (so the
    debt is easy to predict) and with a next stage."""
    found = []
    for row in list_deals(ctx, DealFilter(status=DealStatus.OPEN), limit=200).rows:
        if row.manager_id != ctx.user_id:
            continue
        card = get_deal(ctx, row.id)
        if card.payments or card.documents or card.stages[-1].is_current:
            continue
        found.append(row.id)
        if len(found) == n:
            break
    assert len(found) == n
    return found


async def start(pilot, app, deal_id: int) -> None:
    await log_in(pilot, app, "ivanov")
    app.open_deal(deal_id)
    await settle(pilot, app)
    assert type(app.screen).__name__ == "DealCardScreen"
    assert app.screen.deal_id == deal_id


@pytest.mark.one_backend
async def test_the_card_opens_with_one_service_call(demo_db, monkeypatch):
    """Opening the card is one service call (``deal_view``) reading in one session."""
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 1)[0]
    calls: list[str] = []
    sessions: list[str] = []
    in_card = threading.local()
    call_service = ServiceCalls.call_service
    make_session = demo_db.sessions

    def counted(self, fn, *args, **kwargs):
        node = self if isinstance(self, Screen) else self.screen
        if type(node).__name__ != "DealCardScreen":
            return call_service(self, fn, *args, **kwargs)
        calls.append(fn.__name__)

        def traced(*args, **kwargs):
            in_card.on = True
            try:
                return fn(*args, **kwargs)
            finally:
                in_card.on = False

        traced.__name__ = fn.__name__
        return call_service(self, traced, *args, **kwargs)

    class CountedSessions:
        def __call__(self, *args, **kwargs):
            if getattr(in_card, "on", False):
                sessions.append("read")
            return make_session(*args, **kwargs)

        def begin(self, *args, **kwargs):
            if getattr(in_card, "on", False):
                sessions.append("write")
            return make_session.begin(*args, **kwargs)

    monkeypatch.setattr(ServiceCalls, "call_service", counted)
    monkeypatch.setattr(demo_db, "sessions", CountedSessions())
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await start(pilot, app, deal_id)
        assert calls == ["deal_view"]
        assert sessions == ["read"]
        # the card shows what the services return
        view = deal_view(ctx, deal_id)
        assert app.screen.view == view and view.card == get_deal(ctx, deal_id)
        assert view.card.title in screen_text(app)
        assert app.screen.query_one("#input-title").value == view.card.title
        assert app.screen.query_one("#input-manager_id").value == view.card.manager_id


async def test_add_a_product_then_an_actual_payment_changes_total_and_debt(demo_db):
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 1)[0]
    before = get_deal(ctx, deal_id)
    present = {item.product_id for item in before.items}
    product = next(
        p
        for p in product_choices(ctx, "", 200)
        if p.id not in present and p.currency_code == before.currency_code and p.sku
    )
    assert product_choices(ctx, product.sku)[0].id == product.id
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await start(pilot, app, deal_id)
        await pilot.press("3", "a")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProductPicker"
        await pilot.press(*product.sku)
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        await pilot.press("end", "backspace", "2", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"

        after = get_deal(ctx, deal_id)
        line = next(item for item in after.items if item.product_id == product.id)
        assert line.qty == Decimal(2) and line.price == product.price
        expected = before.amount + item_amount(Decimal(2), product.price, Decimal(0))
        assert after.amount == expected
        text = screen_text(app)
        assert fmt.money(expected, after.currency_code) in text

        # An actual payment of 1000: the debt tab shows what the debt service says.
        await pilot.press("f")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        await pilot.press("enter", *"1000", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        paid = get_deal(ctx, deal_id).payments
        assert [(p.kind, p.amount) for p in paid] == [(PaymentKind.ACTUAL, Decimal("1000.00"))]
        await pilot.press("5")
        await settle(pilot, app)
        debt = deal_debt(ctx, deal_id)
        assert debt.paid == Decimal("1000.00") and debt.debt == Decimal("-1000.00")
        text = screen_text(app)
        assert fmt.money(debt.paid, debt.currency_code) in text
        # paid, nothing invoiced: an advance, never a negative debt
        assert fmt.debt(debt.debt, debt.currency_code) in text
        assert fmt.money(debt.debt, debt.currency_code) not in text


async def test_lose_a_deal_with_a_reason(demo_db):
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 2)[1]
    before = get_deal(ctx, deal_id)
    reason = list_refusal_reasons(ctx)[0]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await start(pilot, app, deal_id)
        await pilot.press("l")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        assert "lost" in screen_text(app).lower()
        # The reason drop-down has the focus: open it, take the first reason.
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        after = get_deal(ctx, deal_id)
        assert after.status == DealStatus.LOST
        assert after.lost_reason_id == reason.id
        assert after.lost_stage_id == before.stage_id
        text = screen_text(app)
        assert "Lost" in text and reason.name in text
        assert "reopen" in text  # the keys line offers to reopen a closed deal


@pytest.mark.one_backend
async def test_move_to_the_next_stage_and_export_the_proposal(demo_db, tmp_path):
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 3)[2]
    before = get_deal(ctx, deal_id)
    current = next(i for i, st in enumerate(before.stages) if st.is_current)
    target = before.stages[current + 1]
    app = make_app(demo_db)
    async with app.run_test(size=LARGE, notifications=True) as pilot:
        await start(pilot, app, deal_id)
        await pilot.press("2", "n")
        await settle(pilot, app)
        after = get_deal(ctx, deal_id)
        assert after.stage_id == target.stage_id
        assert after.stages[current].done_on is not None
        assert f"▶ {target.name}" in screen_text(app)

        # The new stage's deadline, in its details dialog (e).
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        await pilot.press("tab", "end", "ctrl+u", *"31.12.2030", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        stage = next(s for s in get_deal(ctx, deal_id).stages if s.is_current)
        assert stage.stage_id == target.stage_id and stage.due_on == date(2030, 12, 31)
        assert "31.12.2030" in screen_text(app)

        path = tmp_path / f"kp-{deal_id}.html"
        await pilot.press("k")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProposalDialog"
        await pilot.press("tab", "end", "ctrl+u", *str(path), "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert path.exists()
        written = path.read_text(encoding="utf-8")
        assert written.lstrip().lower().startswith("<!doctype html")
        assert before.items
        assert all(html.escape(item.product_name) in written for item in before.items)
        text = await shown(pilot, app, "proposal is saved", path.name)
        assert "proposal is saved" in text and path.name in text  # the notification


async def test_a_deal_of_another_manager_is_an_error_and_the_app_goes_on(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    admin = Context.system(demo_db)
    mine = {r.id for r in list_deals(ivanov, limit=1000).rows}
    other = next(r.id for r in list_deals(admin, limit=1000).rows if r.id not in mine)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_deal(other)
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ErrorDialog"
        assert "not found" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"
        assert app.is_running


@pytest.mark.one_backend  # what is drawn does not depend on the database
async def test_the_card_fits_small_and_large_terminals_with_its_keys(demo_db):
    ctx = context_for(demo_db, "ivanov")
    deal_id = list_deals(ctx, DealFilter(status=DealStatus.OPEN), limit=1).rows[0].id
    for size in (SMALL, LARGE):
        app = make_app(demo_db)
        async with app.run_test(size=size) as pilot:
            await start(pilot, app, deal_id)
            text = screen_text(app)
            for label in ("Main", "Stages", "Debt", "Save", "won", "lost", "proposal"):
                assert label in text, (size, label)
            await pilot.press("3")
            await settle(pilot, app)
            text = screen_text(app)
            for label in ("Add", "Edit", "Delete", "Payment", "Received", "Total"):
                assert label in text, (size, label)
            await pilot.press("2")
            await settle(pilot, app)
            text = screen_text(app)
            for label in ("Next stage", "Previous stage", "Deadline"):
                assert label in text, (size, label)


async def test_saving_over_someone_elses_change_keeps_what_was_typed(demo_db):
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 4)[3]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await start(pilot, app, deal_id)
        for _ in range(6):  # Tab into the Main form, to the title
            await pilot.press("tab")
            if app.focused is not None and app.focused.id == "input-title":
                break
        assert app.focused.id == "input-title"
        await pilot.press(*"Новый заголовок")
        # Meanwhile someone else saves the deal.
        other = get_deal(ctx, deal_id)
        update_deal(Context.system(demo_db), deal_id, other.version, reason="Звонок директора")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConflictDialog"
        assert "Новый заголовок" in screen_text(app)
        await pilot.press("ctrl+r")  # reload: the saved deal, with what was typed on top
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.query_one("#input-title").value == "Новый заголовок"
        assert app.screen.query_one("#input-reason").value == "Звонок директора"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        saved = get_deal(ctx, deal_id)
        assert saved.title == "Новый заголовок" and saved.reason == "Звонок директора"

        # A bad date is explained at its field and nothing is written.
        for _ in range(12):
            await pilot.press("tab")
            if app.focused is not None and app.focused.id == "input-planned_end_on":
                break
        await pilot.press("end", "ctrl+u", *"31.02.2026", "ctrl+s")
        await settle(pilot, app)
        assert "Enter a date as DD.MM.YYYY" in screen_text(app)
        assert get_deal(ctx, deal_id).version == saved.version


async def test_a_deal_card_opened_after_another_shows_only_the_new_deal(demo_db):
    """The closed deal card is reused (ui.kept_screens): the next deal's card shows
    nothing of the previous deal — not its title, not what was typed and left unsaved on
    «Main» — and opens on «Main»."""
    ctx = context_for(demo_db, "ivanov")
    first_id, second_id = open_deals(ctx, 2)
    second = get_deal(ctx, second_id)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await start(pilot, app, first_id)
        screen = app.screen
        await pilot.press("2")  # «Stages»
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is not screen

        app.open_deal(second_id)
        await settle(pilot, app)
        assert app.screen is screen and screen.deal_id == second_id
        assert screen.card is not None and screen.card.id == second_id
        text = screen_text(app)
        assert f"№{second_id}" in text and f"№{first_id}" not in text
        assert second.title in text
        tabs = screen.query_one("#card-tabs")
        assert tabs.active == "tab-main" and tabs.display
        assert not screen.main.dirty
