"""Contracts on the client card (C2), as a manager keeps them: Ins adds one (number,
dates, currency, amount, payment terms, the path of the signed file), Enter edits it,
Del closes it — on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle, to_tab

from qstui.domain.enums import ContractStatus
from qstui.services.clients import companies as clients
from qstui.services.clients.card import get_card
from qstui.services.context import context_for


async def type_into(pilot, app, name: str, text: str) -> None:
    """Focus the form's field ``name`` and type ``text`` as a person does."""
    app.screen.query_one(f"#input-{name}").focus()
    await pilot.pause()
    await pilot.press(*text)


@pytest.mark.one_backend
async def test_add_edit_and_close_a_contract(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id = clients.list_clients(ctx, limit=5).rows[3].id
    before = {c.id for c in get_card(ctx, company_id).contracts}
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_client(company_id)
        await settle(pilot, app)
        await to_tab(pilot, app, "5")
        await pilot.press("insert")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CardFormDialog"
        assert app.screen.query_one("#input-currency_code").value == "RUB"
        await pilot.press(*"D-17/2026")
        await type_into(pilot, app, "signed_on", "01.03.2026")
        await type_into(pilot, app, "amount", "62 510,00")
        await type_into(pilot, app, "pay_terms", "50% prepaid, 50% in 30 days")
        await type_into(pilot, app, "file_path", "/srv/share/D-17.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        [added] = [c for c in get_card(ctx, company_id).contracts if c.id not in before]
        assert (added.number, added.amount, added.currency_code, added.status) == (
            "D-17/2026",
            Decimal("62510.00"),
            "RUB",
            ContractStatus.ACTIVE,
        )
        assert added.signed_on is not None and added.signed_on.isoformat() == "2026-03-01"
        assert added.pay_terms == "50% prepaid, 50% in 30 days"
        assert added.file_path == "/srv/share/D-17.pdf"
        text = screen_text(app)
        assert "D-17/2026" in text and "62,510.00" in text and "/srv/share/D-17.pdf" in text

        # Enter edits the highlighted contract: the payment terms change
        table = app.screen.query_one("#contracts")
        table.focus()
        table.move_cursor(row=table.get_row_index(str(added.id)))
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CardFormDialog"
        assert app.screen.query_one("#input-amount").value == "62,510.00"
        area = app.screen.query_one("#input-pay_terms")
        area.focus()
        area.clear()
        await pilot.press(*"100% prepaid")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        edited = next(c for c in get_card(ctx, company_id).contracts if c.id == added.id)
        assert edited.pay_terms == "100% prepaid" and edited.amount == Decimal("62510.00")
        assert edited.version > added.version

        # Del closes it after a question; it stays listed as ended
        table.focus()
        table.move_cursor(row=table.get_row_index(str(added.id)))
        await pilot.press("delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(pilot, app)
        closed = next(c for c in get_card(ctx, company_id).contracts if c.id == added.id)
        assert closed.status == ContractStatus.CLOSED
        assert "ended" in screen_text(app)
