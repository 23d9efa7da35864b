"""Debt without 1C (D5, D6) on the deal card, as a manager does it in Russian: a deal
whose products are worth 62 510,00 ₽ gets a hand-made invoice and a payment of
20 000,50 ₽ — the card shows the debt 42 509,50 ₽ in red; a payment above the invoice
shows an advance, never a negative debt. Hand-made documents are edited and deleted
from the «Документы» tab; a 1C document there stays read-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle

from qstui import i18n
from qstui.domain import formatting as fmt
from qstui.domain.clock import today
from qstui.domain.enums import DocKind
from qstui.services.context import context_for
from qstui.services.deals import create_deal, get_deal
from qstui.services.deals.choices import product_choices
from qstui.services.deals.debt import client_debt, deal_debt
from qstui.services.deals.documents import add_document, list_documents
from qstui.services.deals.items import add_item
from qstui.services.deals.payments import add_payment
from qstui.widgets.cells import ALERT

NBSP = "\u00a0"


def rub(text: str) -> str:
    """«42 509,50 ₽» as the Russian interface writes it (non-breaking spaces)."""
    return text.replace(" ", NBSP) + NBSP + "₽"


def new_deal(db: Any) -> int:
    """A new deal of ivanov's without 1C: one product line worth 62 510,00 ₽."""
    ctx = context_for(db, "ivanov")
    product = next(p for p in product_choices(ctx, "", 100) if p.currency_code == "RUB")
    client = next(
        c for c in (get_deal(ctx, d).company_id for d in _own_deals(ctx)) if c is not None
    )
    deal_id = create_deal(ctx, client, "Станок без 1С")
    add_item(ctx, deal_id, get_deal(ctx, deal_id).version, product.id, "1", "62510.00")
    assert get_deal(ctx, deal_id).amount == Decimal("62510.00")
    return deal_id


def _own_deals(ctx: Any) -> list[int]:
    from qstui.domain.deals import DealFilter
    from qstui.services.deals import list_deals

    return [
        r.id for r in list_deals(ctx, DealFilter(), limit=50).rows if r.manager_id == ctx.user_id
    ]


def red_spans(text: Text, part: str) -> bool:
    """``part`` is in ``text`` and painted in the alert red (``widgets.cells.ALERT``)."""
    start = text.plain.find(part)
    assert start >= 0, f"{part!r} not in {text.plain!r}"
    return any(
        ALERT in str(span.style) and span.start <= start and span.end >= start + len(part)
        for span in text.spans
    ) or (ALERT in str(text.style))


def debt_row(app: Any) -> tuple[str, Text]:
    """The last row of the Debt tab: its label and its amount cell."""
    group = app.screen.query_one("#debt-view").content
    assert isinstance(group, Group)
    grid = group.renderables[0]
    assert isinstance(grid, Table)
    label = list(grid.columns[0].cells)[-1]
    amount = list(grid.columns[1].cells)[-1]
    assert isinstance(amount, Text)
    return (label.plain if isinstance(label, Text) else str(label)), amount


async def test_a_hand_made_invoice_and_a_payment_make_a_red_debt_then_an_advance(demo_db):
    i18n.set_language("ru")
    ctx = context_for(demo_db, "ivanov")
    deal_id = new_deal(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_deal(deal_id)
        await settle(pilot, app)
        # «Документы»: register an invoice by hand; the sum offered is the products'
        await pilot.press("4")
        await settle(pilot, app)
        assert "Документы" in screen_text(app)
        await pilot.press("a")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        assert app.screen.query_one("#input-amount").value == "62" + NBSP + "510,00"
        await pilot.press("tab", *"17", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        [invoice] = list_documents(ctx, deal_id)
        assert (invoice.kind, invoice.doc_no, invoice.amount, invoice.by_hand) == (
            DocKind.INVOICE,
            "17",
            Decimal("62510.00"),
            True,
        )
        assert invoice.doc_date == today() and invoice.currency_code == "RUB"
        text = screen_text(app)
        assert "вручную" in text and rub("62 510,00") in text

        # a payment of 20 000,50 typed the Russian way
        await pilot.press("3", "f")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        await pilot.press("enter", *"20000,50", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert deal_debt(ctx, deal_id).debt == Decimal("42509.50")

        # the debt, in red: in the card's head and on the Debt tab
        await pilot.press("5")
        await settle(pilot, app)
        text = screen_text(app)
        assert rub("42 509,50") in text and "−" not in text and "-42" not in text
        head = app.screen.query_one("#card-head").content
        assert red_spans(head, "долг: " + rub("42 509,50"))
        label, amount = debt_row(app)
        assert label == "Долг" and amount.plain == rub("42 509,50")
        assert ALERT in str(amount.style)

        # a payment above the invoice: an advance, not a negative debt
        add_payment(ctx, deal_id, "actual", today(), "50000.00")
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        text = screen_text(app)
        assert "аванс " + rub("7 490,50") in text
        assert "-7" not in text and "−7" not in text
        label, amount = debt_row(app)
        assert label == "Аванс" and amount.plain == rub("7 490,50")
        assert ALERT not in str(amount.style)
        assert not red_spans(app.screen.query_one("#card-head").content, "аванс")

        # the client card says the same: its head and its deals table
        company_id = get_deal(ctx, deal_id).company_id
        total = client_debt(ctx, company_id).total
        app.open_client(company_id)
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        head = app.screen.query_one("#card-head").content.plain
        assert fmt.debt(total) in head and "-" not in fmt.debt(total)
        if total < 0:
            assert "аванс" in head


async def test_hand_made_documents_are_edited_and_deleted_1c_ones_are_not(demo_db):
    i18n.set_language("ru")
    ctx = context_for(demo_db, "ivanov")
    deal_id = new_deal(demo_db)
    from_1c = add_document(ctx, deal_id, "shipment", "РН-1", today(), "1000.00")
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_deal(deal_id)
        await settle(pilot, app)
        await pilot.press("4", "a")
        await settle(pilot, app)
        # a shipment of a typed sum
        await pilot.press("enter")  # the kind: open the list, take the second
        await settle(pilot, app)
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert app.screen.query_one("#input-kind").value == "shipment"
        await pilot.press("tab", *"5", "tab", "tab")
        amount = app.screen.query_one("#input-amount")
        assert app.screen.focused is amount
        amount.value = ""
        await pilot.press(*"12345,67", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        docs = {d.doc_no: d for d in list_documents(ctx, deal_id)}
        assert docs["5"].kind == DocKind.SHIPMENT and docs["5"].amount == Decimal("12345.67")
        assert deal_debt(ctx, deal_id).shipped == Decimal("13345.67")

        # the 1C document (the first row, by date then id) cannot be edited nor deleted
        table = app.screen.query_one("#docs-table")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        assert {d.id for d in list_documents(ctx, deal_id)} >= {from_1c}

        # the hand-made one: edited (Enter), then deleted
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealForm"
        amount = app.screen.query_one("#input-amount")
        assert amount.value == "12" + NBSP + "345,67"
        amount.value = ""
        amount.focus()
        await pilot.press(*"345,67", "ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DealCardScreen"
        docs = {d.doc_no: d for d in list_documents(ctx, deal_id)}
        assert docs["5"].amount == Decimal("345.67")
        table.move_cursor(row=1)
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(pilot, app)
        assert [d.id for d in list_documents(ctx, deal_id)] == [from_1c]
        assert deal_debt(ctx, deal_id).shipped == Decimal("1000.00")
        assert fmt.money(Decimal("1000.00")) in screen_text(app)
        # the client's debt counts what is left
        assert client_debt(ctx, get_deal(ctx, deal_id).company_id) is not None
