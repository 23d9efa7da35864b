"""Packages in the TUI (P1): the module Пакеты (F5) lists the packages and their
materials; a manager sends a package from a client card (ctrl+y) through a real SMTP
server on loopback and sees the letter in the client's history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.services.package_support import make_package
from tests.smtp_server import SmtpServer, smtp_server
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle
from tests.ui.test_client_card_screen import open_card

from qstui.db.engine import Database
from qstui.domain.clients import ContactInput
from qstui.screens.dialogs.send_package import SendPackageDialog
from qstui.screens.packages import PackagesScreen
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as CT
from qstui.services.clients.card import get_card
from qstui.services.context import Context, context_for
from qstui.services.mailing import server as M


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="module")
def mail_ready(demo_db: Database, server: SmtpServer) -> Database:
    M.configure(Context.system(demo_db), "127.0.0.1", server.port, "none", "", "s@example.test", 0)
    make_package(demo_db)
    return demo_db


def _client_with_contacts(db: Database) -> int:
    ctx = context_for(db, "ivanov")
    company_id = C.list_clients(ctx, limit=1).rows[0].id
    CT.add_contact(
        ctx,
        company_id,
        ContactInput(last_name="Почтова", first_name="Вера"),
        emails=["vera@example.test"],
    )
    return company_id


@pytest.mark.one_backend
async def test_the_module_lists_packages_and_materials(mail_ready: Database) -> None:
    app = make_app(mail_ready)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f5")
        await settle(pilot, app)
        assert isinstance(app.screen, PackagesScreen)
        screen = app.screen
        names = [p.name for p in screen.packages]
        screen.query_one("#pk-list").highlighted = names.index("Прайс 2026")
        await settle(pilot, app)
        text = screen_text(app)
        assert "Прайс для {компания}" in text and "прайс.bin" in text


async def test_a_manager_sends_a_package_from_the_card(
    mail_ready: Database, server: SmtpServer
) -> None:
    company_id = _client_with_contacts(mail_ready)
    app = make_app(mail_ready)
    server.handler.letters.clear()
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, company_id)
        await pilot.press("ctrl+y")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, SendPackageDialog)
        names = [p.name for p in dialog.packages]
        dialog.query_one("#sp-packages").highlighted = names.index("Прайс 2026")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Sent:" in screen_text(app) and "failed: 0" in screen_text(app)
        assert "vera@example.test" in [rcpt for rcpt, _l in server.handler.letters]
        await pilot.press("escape")
        await settle(pilot, app)
        card = get_card(context_for(mail_ready, "ivanov"), company_id)
        assert any("Прайс 2026" in item.subject for item in card.history)
        assert "Прайс 2026" in screen_text(app)
