"""A manager's day from end to end, with keys only, in English and in Russian, on both
backends: ivanov logs in, finds a client with the quick filter, opens the card, adds a
contact person, logs a call, plans a meeting, opens a deal from the card, adds a
product and a payment (the debt goes down), loses the deal with a reason and logs out;
the head of the department logs in and sees all of it on the client's card.

Every step is checked on the screen and in the database (through the services)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle, to_tab

from qstui import i18n
from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientFilter
from qstui.domain.deals import STATUS_LABELS, DealFilter
from qstui.domain.enums import DealStatus, EventStatus, PaymentKind
from qstui.domain.normalize import fold
from qstui.i18n import _
from qstui.screens.client_card import ClientCardScreen
from qstui.screens.client_tabs.sales import STATUS_NAMES
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import companies as clients
from qstui.services.clients import contacts
from qstui.services.context import Context, context_for
from qstui.services.deals import get_deal, list_deals
from qstui.services.deals.choices import product_choices
from qstui.services.deals.debt import deal_debt
from qstui.services.refbooks.pipelines import list_refusal_reasons

CALL = "Обсудили поставку"
MEETING = "Встреча у клиента"
PAYMENT = Decimal("1000.00")


def _open_deal_of(ctx: Context, company_id: int) -> Any | None:
    """An open deal of the manager's own at this client, in roubles, without payments
    and with a product he can still add."""
    for row in list_deals(
        ctx, DealFilter(company_id=company_id, status=DealStatus.OPEN), limit=50
    ).rows:
        if row.manager_id != ctx.user_id:
            continue
        deal = get_deal(ctx, row.id)
        if deal.currency_code == "RUB" and not deal.payments:
            return deal
    return None


def pick_client(ctx: Context) -> tuple[Any, str, Any]:
    """(client row, a word typed into the quick filter, an open deal of that client).

    The word is found only in company names, so every row the filter leaves must
    contain it, and it leaves more than one row but not all of the manager's clients."""
    rows = clients.list_clients(ctx, limit=1000).rows
    total = len(rows)
    words = Counter(
        w for r in rows for w in set(fold(r.name).replace("«", " ").replace("»", " ").split())
    )
    for word, n in words.most_common():
        if n < 2 or len(word) < 5 or not word.isalpha():
            continue
        typed = word[:5]
        found = clients.list_clients(ctx, ClientFilter(text=typed), limit=1000).rows
        if not (1 < len(found) < total) or not all(typed in fold(r.name) for r in found):
            continue
        for row in found:
            deal = _open_deal_of(ctx, row.id)
            if deal is not None and not calendar_lists.company_plans(ctx, row.id):
                return row, typed, deal
    raise AssertionError("no usable client in the demo")


async def open_from_quick_filter(pilot: Any, app: Any, typed: str, company_id: int) -> None:
    """On the client list: «/», the word, ↓ to the list, ↓ to the client, Enter."""
    await pilot.press("slash", *typed)
    await settle(pilot, app)
    table = app.screen.query_one("#clients-table")
    ids = [r.id for r in table.loaded_rows]
    await pilot.press("down")  # from the quick filter into the list
    await settle(pilot, app)
    await pilot.press(*["down"] * ids.index(company_id), "enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ClientCardScreen) and app.screen.company_id == company_id
    await to_tab(pilot, app, None)


# Russian on both backends; English (the same flow in other words) on SQLite only.
@pytest.mark.parametrize("lang", [pytest.param("en", marks=pytest.mark.one_backend), "ru"])
async def test_a_managers_day_and_the_head_sees_it(demo_db, lang):
    i18n.set_language(lang)
    ctx = context_for(demo_db, "ivanov")
    company, typed, deal = pick_client(ctx)
    card_before = clients.get_card(ctx, company.id)
    debt_before = deal_debt(ctx, deal.id)
    present = {item.product_id for item in deal.items}
    product = next(
        p
        for p in product_choices(ctx, "", 200)
        if p.id not in present and p.currency_code == deal.currency_code and p.sku
    )
    reason = list_refusal_reasons(ctx)[0]

    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        # --- ivanov: log in, F2, the quick filter ---------------------------------------
        await log_in(pilot, app, "ivanov")
        assert app.ctx is not None and app.ctx.login == "ivanov"
        await pilot.press("f2")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        assert _("Clients") in screen_text(app)
        await pilot.press("slash", *typed)
        await settle(pilot, app)
        table = app.screen.query_one("#clients-table")
        rows = table.loaded_rows
        expected = clients.list_clients(ctx, ClientFilter(text=typed), limit=1000).rows
        assert [r.id for r in rows] == [r.id for r in expected]
        assert all(typed in fold(r.name) for r in rows)
        assert all(r.manager_id == ctx.user_id for r in rows)  # only his own
        text = screen_text(app)
        assert rows[0].name[:20] in text
        ids = [r.id for r in rows]
        await pilot.press("down")
        await settle(pilot, app)
        await pilot.press(*["down"] * ids.index(company.id), "enter")
        await settle(pilot, app)
        card = app.screen
        assert isinstance(card, ClientCardScreen) and card.company_id == company.id
        await to_tab(pilot, app, None)
        assert company.name in screen_text(app)

        # --- a contact person --------------------------------------------------------------
        await to_tab(pilot, app, "2")
        await pilot.press("insert")
        await settle(pilot, app)
        await pilot.press(*"Смирнова", "enter", *"Ольга", "enter", "enter")
        await pilot.press(*"Главбух", "enter", *"+7 495 111-22-33", "enter")
        await pilot.press(*"olga@example.ru", "ctrl+s")
        await settle(pilot, app)
        assert app.screen is card, screen_text(app)
        text = screen_text(app)
        assert "Смирнова Ольга" in text and "Главбух" in text and "olga@example.ru" in text
        person = next(
            c for c in contacts.list_contacts(ctx, company.id) if c.last_name == "Смирнова"
        )
        assert person.job_title == "Главбух"
        assert [e.address for e in person.emails] == ["olga@example.ru"]

        # --- a call (ctrl+e) and the next meeting (ctrl+t, ↓ = meeting) ---------------------
        await pilot.press("ctrl+e", *CALL, "enter")
        await settle(pilot, app)
        assert app.screen is card
        call = calendar_lists.company_history(ctx, company.id, limit=5).rows[0]
        assert (call.subject, call.type_code, call.status) == (CALL, "call", EventStatus.DONE)
        await pilot.press("ctrl+t", "down", *MEETING, "enter")
        await settle(pilot, app)
        plans = calendar_lists.company_plans(ctx, company.id)
        assert [(p.subject, p.type_code) for p in plans] == [(MEETING, "meeting")]
        await to_tab(pilot, app, "1")
        text = screen_text(app)
        assert CALL in text and MEETING in text

        # --- the deal, from the card's deals tab --------------------------------------------
        await to_tab(pilot, app, "3")
        deal_ids = [d.id for d in card.card.deals]
        await pilot.press(*["down"] * deal_ids.index(deal.id), "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert app.screen.deal_id == deal.id
        assert deal.title[:30] in screen_text(app)

        # a product (tab 3, a, its article, Enter, quantity 2)
        await pilot.press("3", "a")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProductPicker"
        await pilot.press(*product.sku)
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("end", "backspace", "2", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        after = get_deal(ctx, deal.id)
        line = next(item for item in after.items if item.product_id == product.id)
        assert line.qty == Decimal(2)
        assert after.amount > deal.amount
        assert fmt.money(after.amount, after.currency_code) in screen_text(app)

        # a payment received (f, 1000), then the debt tab: the debt went down by it
        await pilot.press("f")
        await settle(pilot, app)
        await pilot.press("enter", *"1000", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        paid = get_deal(ctx, deal.id).payments
        assert [(p.kind, p.amount) for p in paid] == [(PaymentKind.ACTUAL, PAYMENT)]
        await pilot.press("5")
        await settle(pilot, app)
        debt = deal_debt(ctx, deal.id)
        assert debt.paid == debt_before.paid + PAYMENT
        assert debt.debt == debt_before.debt - PAYMENT
        text = screen_text(app)
        assert fmt.money(debt.paid, debt.currency_code) in text
        # a debt, or what was paid in advance (shown as a positive «аванс», never negative)
        assert fmt.money(abs(debt.debt), debt.currency_code) in text
        assert fmt.money(-abs(debt.debt), debt.currency_code) not in text or not debt.debt

        # lost, with a reason (l, the first reason)
        await pilot.press("l")
        await settle(pilot, app)
        await pilot.press("enter", "down", "enter", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        lost = get_deal(ctx, deal.id)
        assert lost.status == DealStatus.LOST and lost.lost_reason_id == reason.id
        await pilot.press("1")  # the main tab: the status and the reason
        await settle(pilot, app)
        text = screen_text(app)
        assert reason.name in text and _(STATUS_LABELS[DealStatus.LOST]) in text, text

        # back on the card: the deal is lost, the client's debt is 1000 less
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is card
        card_after = clients.get_card(ctx, company.id)
        assert card_after.total_debt == card_before.total_debt - PAYMENT
        text = screen_text(app)
        assert fmt.debt_phrase(card_after.total_debt, "RUB", _("debt: {amount}")) in text
        assert _(STATUS_NAMES[DealStatus.LOST]) in text

        # --- ctrl+o, and the head of the department ------------------------------------------
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.ctx is None and type(app.screen).__name__ == "LoginScreen"
        await log_in(pilot, app, "head")
        assert app.ctx is not None and app.ctx.login == "head"
        head = context_for(demo_db, "head")
        await pilot.press("f2")
        await settle(pilot, app)
        await open_from_quick_filter(pilot, app, typed, company.id)
        text = screen_text(app)
        assert CALL in text and MEETING in text  # the history tab
        await to_tab(pilot, app, "2")
        text = screen_text(app)
        assert "Смирнова Ольга" in text and "olga@example.ru" in text
        await to_tab(pilot, app, "3")
        text = screen_text(app)
        assert deal.title[:20] in text and _(STATUS_NAMES[DealStatus.LOST]) in text
        seen = clients.get_card(head, company.id)
        assert next(d for d in seen.deals if d.id == deal.id).status == DealStatus.LOST
        assert any(c.last_name == "Смирнова" for c in seen.contacts)
        if lang == "ru":  # the same screens, in Russian
            assert "3 Работы" in text and "проиграна" in text
            assert "Deals" not in text and "lost" not in text
