"""Packages in the TUI (P1): the module Пакеты (F5) lists the packages and their
materials; a manager sends a package from a client card (ctrl+y) through a real SMTP
server on loopback and sees the letter in the client's history; a manager with the
right ``edit`` writes a package on an 80×24 terminal, attaches a file and sends it to a
client group."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.services.package_support import make_package
from tests.smtp_server import SmtpServer, smtp_server
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from tests.ui.test_client_card_screen import open_card

from qstui.db.engine import Database
from qstui.domain.clients import ContactInput
from qstui.screens.dialogs.send_package import SendPackageDialog
from qstui.screens.packages import PackagesScreen
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as CT
from qstui.services.clients import groups as G
from qstui.services.clients.card import get_card
from qstui.services.context import Context, context_for
from qstui.services.mailing import packages as P
from qstui.services.mailing import server as M
from qstui.widgets.text_field import TextField


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


async def _type_into(pilot, app, selector: str, text: str, paste: bool = False) -> None:
    """Focus a field, clear it and type ``text`` as a person does (or paste it: a long
    path typed key by key costs the test seconds)."""
    field = app.screen.query_one(selector)
    field.focus()
    await pilot.pause()
    if isinstance(field, TextField):
        field.value = ""
    if paste:
        field.insert_text_at_cursor(text) if isinstance(field, TextField) else field.insert(text)
    else:
        await pilot.press(*text)


async def test_a_manager_writes_a_package_and_sends_it_to_a_group(
    mail_ready: Database, server: SmtpServer, tmp_path: Path
) -> None:
    ctx = context_for(mail_ready, "ivanov")
    company_id = C.list_clients(ctx, limit=3).rows[2].id
    CT.add_contact(
        ctx,
        company_id,
        ContactInput(last_name="Группова", first_name="Гала"),
        emails=["gala@example.test"],
    )
    G.add_members(ctx, G.create_group(ctx, "Осенняя рассылка"), [company_id])
    brochure = tmp_path / "buklet-2026.pdf"
    brochure.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 64)
    app = make_app(mail_ready)
    server.handler.letters.clear()
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f5")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, PackagesScreen)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        await _type_into(pilot, app, "#input-name", "Осенний прайс")
        await _type_into(pilot, app, "#input-subject", "Прайс для {компания}", paste=True)
        await _type_into(pilot, app, "#input-body", "Здравствуйте, {контакт}!", paste=True)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert screen.detail is not None and screen.detail.name == "Осенний прайс"
        await pilot.press("a")
        await settle(pilot, app)
        await _type_into(pilot, app, "#input-file", str(brochure), paste=True)
        await _type_into(pilot, app, "#input-title", "Буклет")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert [m.title for m in screen.detail.materials] == ["Буклет"]
        text = screen_text(app)
        assert "Прайс для {компания}" in text and "📎 Буклет" in text
        await pilot.press("s")
        await settle(pilot, app)
        pick = app.screen.query_one("#pick")
        labels = [str(pick.get_option_at_index(i).prompt) for i in range(pick.option_count)]
        pick.highlighted = next(i for i, s in enumerate(labels) if "Осенняя рассылка" in s)
        await pilot.press("enter")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, SendPackageDialog)
        assert dialog.package_id == screen.detail.id  # the package of the screen, chosen
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = screen_text(app)
        assert "Sent:" in text and "failed: 0" in text, text
        await pilot.press("escape")
        await settle(pilot, app)
        assert screen.detail.sendings >= 1 and "Letters sent:" in screen_text(app)
    letters = dict(server.handler.letters)
    letter = letters["gala@example.test"]
    assert letter["Subject"].startswith("Прайс для ")
    assert "Здравствуйте, Гала!" in letter.get_body(("plain",)).get_content()
    (attached,) = list(letter.iter_attachments())
    assert attached.get_filename() == "buklet-2026.pdf"
    assert attached.get_content() == brochure.read_bytes()
    card = get_card(ctx, company_id)
    assert any("Осенний прайс" in item.subject for item in card.history)
    assert P.get_package(ctx, "Осенний прайс").sendings == len(server.handler.letters)


@pytest.mark.one_backend
async def test_deactivating_and_deleting_from_the_module(mail_ready: Database) -> None:
    from qstui.services.mailing import package_edit as E

    package_id = E.create_package(context_for(mail_ready, "head"), "Черновик", "Тема")
    app = make_app(mail_ready)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "head")
        await pilot.press("f5")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, PackagesScreen)
        ids = [p.id for p in screen.packages]
        screen.package_list.highlighted = ids.index(package_id)
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        assert screen.detail is not None and not screen.detail.is_active
        assert "Черновик (inactive)" in screen_text(app)
        await pilot.press("s")  # an inactive package is not sent
        await settle(pilot, app)
        said = [n.message for n in app._notifications]
        assert app.screen is screen and any("activate it (d) to send it" in m for m in said)
        await pilot.press("delete")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert package_id not in [p.id for p in screen.packages]
        assert screen.detail is not None and screen.detail.id != package_id
        assert app.screen is screen  # no error about the package just deleted
