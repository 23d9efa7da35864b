"""The everyday screens' bugs of issue 14, each reproduced as a manager meets it: card
tabs by digit, no field overwritten by a key, a login typed in one burst, history dated
by when it happened, debt in red on 16 colours, the complete-plan dialog, and the small
ones (focus after login, F2, End, the week view, dropdowns, money hints, the proposal's
folder)."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from tests.ui.test_client_card_screen import ivanov_clients, open_card
from tests.ui.test_deal_card import open_deals, start
from textual._xterm_parser import XTermParser
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, TabbedContent
from textual.widgets._select import SelectOverlay

from qstui import i18n
from qstui.domain import clock
from qstui.domain import formatting as fmt
from qstui.domain.clock import to_local, to_utc
from qstui.domain.enums import EventStatus, PaymentKind
from qstui.screens.calendar_views import short_day
from qstui.screens.client_card import TABS
from qstui.screens.dialogs import deal_forms
from qstui.screens.dialogs.help import key_table
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import companies as clients
from qstui.services.clients.card import get_card
from qstui.services.context import context_for
from qstui.services.deals import get_deal, payments


def active_tab(app) -> str:
    return app.screen.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-")


def help_rows(app) -> dict[str, str]:
    """F1's table of the current screen: key → what it does."""
    table = key_table(app.screen)
    keys, actions = table.columns[0].cells, table.columns[1].cells
    return {str(k): str(a) for k, a in zip(keys, actions, strict=True)}


@pytest.mark.one_backend
async def test_plain_digits_switch_the_client_card_tabs_outside_a_text_field(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, ivanov_clients(demo_db)[0])
        names = [name for name, _cls in TABS]
        await pilot.press("2")
        await settle(pilot, app)
        assert active_tab(app) == names[1]
        await pilot.press("alt+3")  # where the terminal delivers alt+digit
        await settle(pilot, app)
        assert active_tab(app) == names[2]
        await pilot.press("8")
        await settle(pilot, app)
        assert active_tab(app) == "requisites"
        field = app.screen.query_one("#input-name", Input)
        field.focus()
        await pilot.pause()
        before = field.value
        await pilot.press("end", "3")  # a digit in a text field is typed, not a tab key
        await settle(pilot, app)
        assert active_tab(app) == "requisites"
        assert field.value == before + "3"
        rows = help_rows(app)
        assert rows.get("1, alt+1") == "History and plans" and rows.get("0, alt+0") == "Claims"


@pytest.mark.one_backend  # keys and the help table; the deal: test_deal_view
async def test_plain_and_alt_digits_switch_the_deal_card_tabs(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await start(pilot, app, open_deals(context_for(demo_db, "ivanov"), 1)[0])
        app.screen.query_one("#card-tabs Tabs").focus()
        await pilot.press("3")
        await settle(pilot, app)
        assert active_tab(app) == "products"
        await pilot.press("alt+5")
        await settle(pilot, app)
        assert active_tab(app) == "debt"
        rows = help_rows(app)
        assert rows.get("1, alt+1") == "Main"


@pytest.mark.one_backend
async def test_a_field_reached_by_a_key_keeps_its_text(demo_db):
    """``]`` walks the tabs up to «Реквизиты»; the focus lands in the company's name with
    nothing selected, so the next key does not replace the name. The duplicates dialog
    gives the focus back the same way."""
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_card(pilot, app, ivanov_clients(demo_db)[1])
        name = screen.card.name
        for _step in range([n for n, _cls in TABS].index("requisites")):
            await pilot.press("right_square_bracket")
            await settle(pilot, app)
        assert active_tab(app) == "requisites"
        field = app.focused
        assert isinstance(field, Input) and field.id == "input-name"
        assert field.selection.is_empty and field.value == name
        await pilot.press("x")
        assert field.value == name + "x"  # typed at the end, nothing replaced

        await pilot.press("escape")  # close the card, discarding the «x»
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("f2")
        await settle(pilot, app)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        await pilot.press(*name)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "DuplicatesDialog"
        await pilot.press("b")  # «Вернуться к правке»
        await settle(pilot, app)
        field = app.focused
        assert isinstance(field, Input) and field.id == "input-name"
        assert field.selection.is_empty
        typed = field.value
        assert typed
        await pilot.press("y")
        assert field.value == typed + "y"


def test_every_text_field_is_a_text_field():
    """One way to make a text field (``widgets.text_field.TextField``): no screen or
    widget makes a bare ``Input``, whose text Textual selects on focus."""
    import ast
    from pathlib import Path

    import qstui

    root = Path(qstui.__file__).parent
    bare = []
    for path in [*root.glob("screens/**/*.py"), *root.glob("widgets/*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Input":
                bare.append(f"{path.name}:{node.lineno}")
            subclass = isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", "") == "Input" for base in node.bases
            )
            if subclass and path.name != "text_field.py":
                bare.append(f"{path.name}:{node.lineno}")
    assert bare == []


async def feed_burst(app, burst: str) -> None:
    """``burst`` as one chunk read from the terminal: parsed by Textual's XTerm parser and
    handed over by the driver from another thread, as the driver's input thread does —
    all its keys reach the app before the app has handled the first."""
    driver = app._driver

    def read() -> None:
        for message in list(XTermParser().feed(burst)):
            driver.process_message(message)

    await asyncio.to_thread(read)


@pytest.mark.one_backend  # a burst of keys read in order; the login: test_auth
async def test_a_login_typed_in_one_burst_logs_in(demo_db):
    """KeePass auto-type: «ivanov⇥demo⏎» in one burst; the Tab moves to the password
    before «demo» is typed."""
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        assert app.focused is not None and app.focused.id == "login"
        await feed_burst(app, "ivanov\tdemo\r")
        await settle(pilot, app)
        assert app.ctx is not None and app.ctx.login == "ivanov"
        assert type(app.screen).__name__ == "TodayScreen"


async def test_a_plan_done_early_is_dated_when_it_was_done(demo_db):
    """Plans for the day after tomorrow and the day after, both done today: the card's
    history and the calendar list them today, the newest first, not on their planned
    days."""
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[2]
    today = clock.today()
    done = []
    for days, subject in ((2, "Early A"), (3, "Early B")):
        moment = to_utc(datetime.combine(today + timedelta(days=days), time(10, 0)))
        event_id = calendar_service.plan_event(ctx, company_id, "call", subject, moment)
        version = calendar_lists.get_event(ctx, event_id).version
        calendar_service.complete_event(ctx, event_id, version, result_text="done early")
        done.append(event_id)
    history = get_card(ctx, company_id).history
    assert [item.id for item in history[:2]] == done[::-1]  # B was done after A
    assert all(to_local(item.when).date() == today for item in history[:2])
    assert [item.when for item in history] == sorted((i.when for i in history), reverse=True)
    shown_today = {
        row.id
        for agenda in calendar_lists.day(ctx, today, per_day=None).days
        for row in agenda.events
    }
    assert set(done) <= shown_today
    later = calendar_lists.day(ctx, today + timedelta(days=3), per_day=None)
    assert not set(done) & {row.id for agenda in later.days for row in agenda.events}

    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, company_id)
        lines = [line for line in screen_text(app).splitlines() if "Early" in line]
        assert len(lines) == 2 and "Early B" in lines[0]
        assert all(fmt.day(today) in line for line in lines)


def sgr_before(ansi: str, text: str) -> set[str]:
    """The SGR parameters in force where ``text`` starts in the ANSI output ``ansi``."""
    at = ansi.index(text)
    start = ansi.rindex("\x1b[", 0, at)
    end = ansi.index("m", start)
    return set(ansi[start + 2 : end].split(";"))


@pytest.mark.one_backend  # colours; the card's debt: test_client_card
async def test_debt_is_red_and_bold_in_16_colours(demo_db):
    """TERM=xterm: 16 colours. Textual paints through its own theme, where ANSI «red»
    became a pink that a 16-colour terminal shows as magenta (SGR 35)."""
    ctx = context_for(demo_db, "ivanov")
    cards = (get_card(ctx, company_id) for company_id in ivanov_clients(demo_db))
    owing = next(card for card in cards if card.total_debt > 0)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await open_card(pilot, app, owing.id)
        console = Console(
            width=LARGE[0],
            file=io.StringIO(),
            force_terminal=True,
            color_system="standard",
            legacy_windows=False,
        )
        console.print(app.screen._compositor.render_update(full=True))
        ansi = console.file.getvalue()
        amount = fmt.money(owing.total_debt)
        params = sgr_before(ansi, amount)
        assert "31" in params or "91" in params, params  # red (or bright red)
        assert "1" in params, params  # bold: seen on a monochrome terminal too


async def test_the_complete_dialog_goes_top_down_and_drops_nothing(demo_db):
    """Focus starts on «Результат», Tab goes on to «Чем закончилось»; keys typed on a
    button go into the text; Enter with neither a result nor a text says so."""
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[3]
    moment = to_utc(datetime.combine(clock.today() + timedelta(days=1), time(11, 0)))
    event_id = calendar_service.plan_event(ctx, company_id, "call", "Complete me", moment)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        screen.complete_plan(event_id)  # what «c» on its row in «Планы» does
        await settle(pilot, app)
        dialog = app.screen
        assert type(dialog).__name__ == "CompleteDialog"
        assert app.focused is dialog.query_one("#result-id")
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#result-text")
        await pilot.press("tab")  # on to the «Complete» button
        assert app.focused is dialog.query_one("#save")
        await pilot.press("enter")  # neither a result nor a text: not completed silently
        await settle(pilot, app)
        assert app.screen is dialog
        assert "Choose a result or write what came of it" in screen_text(app)
        assert calendar_lists.get_event(ctx, event_id).row.status == EventStatus.PLANNED
        app.set_focus(dialog.query_one("#save"))
        await pilot.press(*"Agreed")  # typed on a button: goes into the text
        assert dialog.query_one("#result-text", Input).value == "Agreed"
        await pilot.press("enter")
        await settle(pilot, app)
        done = calendar_lists.get_event(ctx, event_id).row
        assert done.status == EventStatus.DONE and done.result_text == "Agreed"


@pytest.mark.one_backend  # the focus; the page: test_today
async def test_after_login_today_has_the_focus_on_its_first_list(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        assert type(app.screen).__name__ == "TodayScreen"
        focused = app.focused
        assert isinstance(focused, DataTable) and focused.row_count > 0, focused
        assert (focused.id or "").startswith("today-")
        await pilot.press("enter")  # opens what the row is about
        await settle(pilot, app)
        assert type(app.screen).__name__ in ("ClientCardScreen", "DealCardScreen")


@pytest.mark.one_backend
async def test_f2_shows_the_client_list_not_the_last_card(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f2")
        await settle(pilot, app)
        app.open_client(ivanov_clients(demo_db)[0])
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        await pilot.press("f9", "f2")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        app.open_client(ivanov_clients(demo_db)[1])
        await settle(pilot, app)
        await pilot.press("f2")  # from the card itself
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"

        # a card holding what was typed stays, and says why
        app.open_client(ivanov_clients(demo_db)[1])
        await settle(pilot, app)
        card = app.screen
        card.action_tab("requisites")
        await settle(pilot, app)
        card.query_one("#input-city", Input).value = "Кострома"
        await pilot.press("f2")
        await settle(pilot, app)
        assert app.screen is card
        assert any("unsaved" in n.message for n in app._notifications)


async def test_end_in_the_client_list_goes_to_the_last_client(demo_db):
    ctx = context_for(demo_db, "ivanov")
    last = clients.list_clients(ctx, backward=True, limit=1).rows[-1]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f2")
        await settle(pilot, app)
        table = app.screen.query_one("#clients-table", DataTable)
        table.focus()
        await pilot.press("end")
        await settle(pilot, app)
        assert table.scroll_x == 0  # not scrolled sideways
        assert table.current.id == last.id
        await pilot.press("home")
        await settle(pilot, app)
        assert table.cursor_row == 0


@pytest.mark.one_backend  # the scroll position; the week: test_calendar
@pytest.mark.parametrize("size", [SMALL, (120, 40)])
async def test_the_week_list_opens_with_a_day_label_on_its_top_row(demo_db, size):
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        await pilot.pause()
        table = app.screen.table
        assert table.display and table.lines
        top = round(table.scroll_y)
        assert table.get_cell_at(Coordinate(top, 0)).plain == short_day(table.lines[top].day)
        cursor_day = table.lines[table.cursor_row].day
        first_of_cursor_day = min(i for i, line in enumerate(table.lines) if line.day == cursor_day)
        assert top == first_of_cursor_day or top == table.max_scroll_y  # the day from its start


@pytest.mark.one_backend  # colours
async def test_an_open_dropdown_stands_out_from_its_form(demo_db):
    """A dropdown's list was painted 235 on a form of 234: it has to stand out."""
    ctx = context_for(demo_db, "ivanov")
    company_id = ivanov_clients(demo_db)[4]
    moment = to_utc(datetime.combine(clock.today() + timedelta(days=1), time(12, 0)))
    event_id = calendar_service.plan_event(ctx, company_id, "call", "Dropdown", moment)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_card(pilot, app, company_id)
        screen.complete_plan(event_id)
        await settle(pilot, app)
        await pilot.press("enter")  # the result list opens
        await settle(pilot, app)
        overlay = app.screen.query_one(SelectOverlay)
        assert overlay.display
        form = overlay.parent.parent
        _base, list_colour = overlay.background_colors
        _base, form_colour = form.background_colors
        assert abs(list_colour.brightness - form_colour.brightness) >= 0.1, (
            list_colour.hex,
            form_colour.hex,
        )


async def test_payment_received_speaks_the_russian_money_format(demo_db):
    """«Оплата получена» offers the planned amount as «42 509,50» and hints the same
    format; what it offers is accepted as it is."""
    i18n.set_language("ru")
    ctx = context_for(demo_db, "ivanov")
    deal_id = open_deals(ctx, 2)[1]
    payment_id = payments.add_payment(
        ctx, deal_id, PaymentKind.PLANNED, clock.today(), Decimal("42509.50"), "RUB"
    )
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await start(pilot, app, deal_id)
        await pilot.press("3")
        await settle(pilot, app)
        table = app.screen.query_one("#payments-table", DataTable)
        rows = app.screen.card.payments
        table.focus()
        table.move_cursor(row=[p.id for p in rows].index(payment_id))
        await pilot.press("r")
        await settle(pilot, app)
        amount = app.screen.query_one("#input-amount", Input)
        assert amount.value == f"42{fmt.NBSP}509,50"
        amount.value = "сорок"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "например 1 234,50" in screen_text(app).replace(fmt.NBSP, " ")
        amount.value = f"42{fmt.NBSP}509,50"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    received = next(p for p in get_deal(ctx, deal_id).payments if p.id == payment_id)
    assert received.kind == PaymentKind.ACTUAL and received.amount == Decimal("42509.50")


def _typed(text: str) -> Decimal | None:
    errors: dict[str, str] = {}
    amount = deal_forms.typed_money({"amount": text}, "amount", errors)
    assert errors == {}
    return amount


def test_an_amount_offered_in_english_reads_back():
    assert deal_forms.money_text(Decimal("42509.5")) == "42,509.50"
    assert _typed("42,509.50") == Decimal("42509.50")
    i18n.set_language("ru")
    assert _typed(f"42{fmt.NBSP}509,50") == Decimal("42509.50")
    assert _typed("42509.5") == Decimal("42509.50")


@pytest.mark.one_backend
async def test_the_proposal_goes_to_the_documents_folder(demo_db, tmp_path, monkeypatch):
    """Not into whatever folder qstui was started in: the user's documents folder, shown
    in the dialog (a bare name typed there goes into it too)."""
    documents = tmp_path / "Документы"
    started_in = tmp_path / "started-in"
    started_in.mkdir()
    monkeypatch.setenv("QSTUI_DOCUMENTS_DIR", str(documents))
    monkeypatch.chdir(started_in)
    deal_id = open_deals(context_for(demo_db, "ivanov"), 3)[0]
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await start(pilot, app, deal_id)
        await pilot.press("k")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProposalDialog"
        path = app.screen.query_one("#input-path", Input)
        assert path.value == str(documents / f"КП-{deal_id}.html")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert (documents / f"КП-{deal_id}.html").exists()
        await pilot.press("k")
        await settle(pilot, app)
        app.screen.query_one("#input-path", Input).value = "offer"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert (documents / "offer.html").exists()
    assert list(started_in.iterdir()) == []


@pytest.mark.one_backend  # a key on the panel
async def test_enter_on_the_module_panel_opens_the_module(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "ivanov")
        panel = app.screen.query_one("#modules")
        panel.focus()
        panel.highlighted = [option.id for option in panel.options].index("clients")
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"


@pytest.mark.one_backend  # a burst of keys; the card: test_client_card
async def test_tab_keys_in_one_burst_walk_every_tab(demo_db):
    """«]]]]]]]» in one chunk: seven tabs on, to «Реквизиты», its fields untouched."""
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_card(pilot, app, ivanov_clients(demo_db)[0])
        name = screen.card.name
        await feed_burst(app, "]" * [n for n, _cls in TABS].index("requisites"))
        await settle(pilot, app)
        assert active_tab(app) == "requisites"
        assert screen.query_one("#input-name", Input).value == name
        assert screen.unsaved() == []
