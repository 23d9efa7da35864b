"""«1С: загрузить выписку банка» in the TUI: from the command palette, the dry-run table,
a deal chosen for a line with no deal of its own, the import, and the deal's debt changed
on its card. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.onec.bank_support import FIVE, document, five_payment_world, statement
from tests.services.deal_support import PASSWORD, count
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle
from tests.ui.test_palette import choose, open_palette
from textual.widgets import DataTable, Input, ProgressBar

from qstui.db.models import Payment
from qstui.domain.clients import CompanyInput
from qstui.screens.bank_import import BankImportScreen
from qstui.screens.client_tabs.base import PickDialog
from qstui.screens.deal_card import DealCardScreen
from qstui.screens.dialogs.pick_deal import PickDealDialog
from qstui.services import deals as D
from qstui.services.access.users import grant
from qstui.services.clients.companies import create_company
from qstui.services.deals import debt as Debt


async def test_import_a_statement_from_the_palette(db, tmp_path):
    world = five_payment_world(db)
    grant(world.team.system, "head", "onec.exchange")
    # a client registered as users do (searchable), whose deal the unknown payer pays
    delta = create_company(world.team.anna, CompanyInput(name="Дельта Плюс"))
    d1 = D.create_deal(world.team.anna, delta, "Дельта: проект", started_on=date(2026, 2, 1))
    path = tmp_path / "day.txt"
    # a sixth payment: Бета's INN without a KPP (Бета and its branch share the INN)
    ambiguous = document("106", "06.03.2026", "4000.00", "7702000002", "Оплата за услуги")
    path.write_bytes(statement(*FIVE, ambiguous))
    app = make_app(db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "head", PASSWORD)
        await open_palette(pilot, app, "bank statement")
        await choose(pilot, app, "1C: import a bank statement")
        assert isinstance(app.screen, BankImportScreen)
        assert app.focused is app.screen.query_one("#bank-file", Input)
        await pilot.press(*str(path), "enter")
        await settle(pilot, app)
        table = app.screen.query_one("#bank-lines", DataTable)
        assert table.row_count == 6
        assert app.focused is table
        text = screen_text(app)
        assert "Альфа: ноутбуки" in text and "Бета: поставка" in text
        assert "client only" in text and "unmatched" in text
        assert "Incoming: 6 (matched 3, client only 1, ambiguous 1, unmatched 1)" in text
        assert count(db, Payment) == 0

        await pilot.press("down", "down", "down", "enter")  # the line of Гамма
        await settle(pilot, app)
        assert isinstance(app.screen, PickDialog)
        labels = [label for label, _c in app.screen.options]
        assert len(labels) == 2 and all(label.startswith("Гамма: ") for label in labels)
        wanted = next(i for i, (_l, c) in enumerate(app.screen.options) if c.deal_id == world.g2)
        await pilot.press(*["down"] * wanted, "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, BankImportScreen)
        assert "Гамма: вторая" in screen_text(app)

        await pilot.press("down", "down", "enter")  # the ambiguous line: Бета or its branch
        await settle(pilot, app)
        assert isinstance(app.screen, PickDialog)
        offered = [(c.company_id, c.deal_id) for _l, c in app.screen.options]
        assert set(offered) == {(world.beta, world.b1), (world.beta, world.b2)}  # deals only
        wanted = offered.index((world.beta, world.b2))
        await pilot.press(*["down"] * wanted, "enter")
        await settle(pilot, app)
        assert "Бета: сервис" in screen_text(app)

        await pilot.press("up", "enter")  # the unmatched line: find a client and its deal
        await settle(pilot, app)
        assert isinstance(app.screen, PickDealDialog)
        await pilot.press(*"дельт", "enter")
        await settle(pilot, app)
        assert [c.id for c in app.screen.clients] == [delta]
        await pilot.press("enter")  # the client found
        await settle(pilot, app)
        assert [deal.id for deal in app.screen.deals] == [d1]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, BankImportScreen)
        assert "Дельта Плюс: Дельта: проект" in screen_text(app)

        bar = app.screen.query_one("#bank-progress", ProgressBar)
        assert not bar.display
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert count(db, Payment) == 6
        # the bar followed the payments written, and went away with the result
        assert (bar.total, bar.progress, bar.display) == (6, 6, False)
        text = screen_text(app)
        assert "Payments created: 6" in text and text.count("imported") >= 6
        assert Debt.deal_debt(world.team.system, d1).debt == Decimal("-1000.00")  # an advance
        assert Debt.deal_debt(world.team.system, world.g2).debt == Decimal("2000.00")
        assert Debt.deal_debt(world.team.system, world.b2).debt == Decimal("6000.00")

        app.open_deal(world.g2)
        await settle(pilot, app)
        assert isinstance(app.screen, DealCardScreen)
        await pilot.press("5")
        await settle(pilot, app)
        text = screen_text(app)
        assert "Гамма: вторая" in text
        assert "2,000.00" in text and "5,000.00" in text  # the debt and what was paid


@pytest.mark.one_backend
async def test_the_deals_list_key_and_a_file_that_is_not_a_statement(db, tmp_path):
    world = five_payment_world(db)
    grant(world.team.system, "head", "onec.exchange")
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a statement")
    app = make_app(db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "head", PASSWORD)
        await pilot.press("f4")  # the deals list
        await settle(pilot, app)
        await pilot.press("i")
        await settle(pilot, app)
        assert isinstance(app.screen, BankImportScreen)
        await pilot.press(*str(junk), "enter")
        await settle(pilot, app)
        assert "does not begin with 1CClientBankExchange" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert count(db, Payment) == 0
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, BankImportScreen)
