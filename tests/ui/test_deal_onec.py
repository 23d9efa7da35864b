"""«1С: выставить счет по работе» from the command palette over a deal card, in
Russian, against the simulator on loopback: the invoice is made and posted in 1C and
shows under «Документы»; the commands are offered only on a deal card and only to a
user with onec.exchange. Both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.services.deal_support import PASSWORD as TEAM_PASSWORD
from tests.services.onec_deal_support import World, make_world, their
from tests.services.onec_sync_support import PASSWORD, USER
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle
from tests.ui.test_palette import choose, open_palette, shown_texts

from qstui import i18n
from qstui.domain.enums import DocKind
from qstui.onec import mapping as M
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import seed
from qstui.screens.onec_sync import OnecSyncScreen
from qstui.services.deals.documents import list_documents
from qstui.services.onec.deal_onec import invoice_mark

ISSUE = "1С: выставить счет по работе"


@pytest.fixture
def world(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    store = Store("bp30")
    seeded = seed(store, [], [])
    monkeypatch.setenv("QSTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("QSTUI_ONEC_BP_PASSWORD", PASSWORD)
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        yield make_world(db, sim, seeded, tmp_path)


async def test_an_invoice_issued_from_the_palette_shows_under_the_documents(
    world: World,
) -> None:
    w = world
    i18n.set_language("ru")
    app = make_app(w.db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "anna", TEAM_PASSWORD)
        await open_palette(pilot, app, "1С")
        assert ISSUE not in shown_texts(app)  # no deal card open: not offered
        await pilot.press("escape")
        app.open_deal(w.deal_id)
        await settle(pilot, app)
        await open_palette(pilot, app, "1С")
        offered = shown_texts(app)
        assert ISSUE in offered and "1С: получить документы" in offered
        await choose(pilot, app, ISSUE)
        await settle(pilot, app)

        [invoice] = their(
            w.store, M.INVOICE, Комментарий=invoice_mark(w.deal_id), Контрагент_Key=w.counterparty
        )
        assert invoice["Posted"] is True
        [document] = list_documents(w.anna, w.deal_id)
        assert document.kind == DocKind.INVOICE and document.doc_no == invoice["Number"]
        assert type(app.screen).__name__ == "DealCardScreen"
        text = screen_text(app)
        assert "Документы" in text and invoice["Number"] in text
        assert "6 999,98" in text.replace("\u00a0", " ")


@pytest.mark.one_backend
async def test_unlinked_products_are_named_and_their_sync_opens(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store("bp30")
    seeded = seed(store, [], [])
    monkeypatch.setenv("QSTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("QSTUI_ONEC_BP_PASSWORD", PASSWORD)
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        w = make_world(db, sim, seeded, tmp_path, link_products=False)
        app = make_app(w.db)
        async with app.run_test(size=LARGE) as pilot:
            await log_in(pilot, app, "anna", TEAM_PASSWORD)
            app.open_deal(w.deal_id)
            await settle(pilot, app)
            await open_palette(pilot, app, "invoice")
            await choose(pilot, app, "1C: issue an invoice for the deal")
            await settle(pilot, app)
            assert isinstance(app.screen, OnecSyncScreen) and app.screen.kind == "nomenclature"
            said = [n.message for n in app._notifications]
            assert any("«Кран шаровой», «Монтаж, ч»" in m for m in said), said
            assert list_documents(w.anna, w.deal_id) == []


@pytest.mark.one_backend
async def test_not_offered_without_the_right(world: World) -> None:
    w = world
    app = make_app(w.db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "boris", TEAM_PASSWORD)
        app.open_deal(w.deal_id)
        await settle(pilot, app)
        await open_palette(pilot, app, "1C")
        assert "1C: issue an invoice for the deal" not in shown_texts(app)
