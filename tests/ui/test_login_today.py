"""Logging in and the start page, driven as a person would."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle

from qstui.app import QstuiApp
from qstui.db.engine import Database
from qstui.screens.dialogs.help import key_table
from qstui.serve.handoff import Credentials
from qstui.services.access.users import unlock_user
from qstui.services.context import Context
from qstui.ui import keys


@pytest.mark.one_backend
async def test_demo_logins_are_listed_and_a_wrong_password_is_explained(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "ivanov" in text and "demo" in text
        await log_in(pilot, app, "ivanov", "wrong")
        assert type(app.screen).__name__ == "LoginScreen"
        assert "Wrong login or password" in screen_text(app)
        assert app.ctx is None


async def test_an_unknown_login_and_a_locked_one_get_the_same_message(demo_db):
    app = make_app(demo_db)
    try:
        async with app.run_test(size=SMALL) as pilot:
            for _ in range(5):  # the demo's policy: five failures lock the account
                await log_in(pilot, app, "sidorov", "wrong")
            await log_in(pilot, app, "sidorov", "still-wrong")
            locked = login_message(app)
            await log_in(pilot, app, "nosuchuser", "still-wrong")
            unknown = login_message(app)
            assert locked == unknown == "Wrong login or password"
            # only the right password learns of the lock
            await log_in(pilot, app, "sidorov", "demo")
            assert "locked until" in login_message(app)
            assert app.ctx is None and type(app.screen).__name__ == "LoginScreen"
    finally:
        unlock_user(Context.system(demo_db), "sidorov")


def login_message(app) -> str:
    return str(app.screen.query_one("#login-error").render()).strip()


async def test_login_opens_today_with_my_plans(demo_db):
    app = make_app(demo_db, login="ivanov")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        assert app.ctx is not None and app.ctx.login == "ivanov"
        assert type(app.screen).__name__ == "TodayScreen"
        text = screen_text(app)
        assert "Today" in text and "f12 Modules" in text
        # the module panel, built from the rights: at 80 columns only the keys (F12: all)
        assert "F2 " in text and "F3 " in text
        await pilot.press("f12")
        await settle(pilot, app)
        assert "Clients" in screen_text(app)


async def test_credentials_handed_over_log_in_at_once(demo_db):
    """A session of ``qstui serve``: the server checked the password and handed it over
    (``serve.handoff``); the application logs in with it through the same check."""
    app = QstuiApp(demo_db, credentials=Credentials("ivanov", "demo"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        assert app.ctx is not None and app.ctx.login == "ivanov"
        assert type(app.screen).__name__ == "TodayScreen"
        assert app.take_credentials() is None  # used once, then forgotten


async def test_wrong_credentials_handed_over_leave_the_login_screen(demo_db):
    app = QstuiApp(demo_db, credentials=Credentials("ivanov", "wrong"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        assert app.ctx is None and type(app.screen).__name__ == "LoginScreen"
        text = screen_text(app)
        assert "Wrong login or password" in text and "ivanov" in text
        await pilot.press(*"demo", "enter")  # the login is filled in, the password asked
        await settle(pilot, app)
        assert app.ctx is not None and app.ctx.login == "ivanov"


async def test_log_out_and_in_as_another_user(demo_db):
    app = make_app(demo_db, login="ivanov")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        assert app.ctx.login == "ivanov"
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.ctx is None and type(app.screen).__name__ == "LoginScreen"
        await log_in(pilot, app, "head")
        assert app.ctx.login == "head" and type(app.screen).__name__ == "TodayScreen"


async def test_letter_keys_work_on_the_russian_layout(demo_db):
    app = make_app(demo_db, login="ivanov")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        await pilot.press("ш")  # the key of «i» (forgotten clients) on ЙЦУКЕН
        await settle(pilot, app)
        assert app.focused is not None and app.focused.id == "today-idle"


@pytest.mark.one_backend
async def test_a_long_database_url_stays_on_one_line_with_its_start_and_end(tmp_path):
    db = Database(f"sqlite:///{tmp_path / ('office-share-' * 8)}/crm.sqlite3")
    app = make_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        lines = [line for line in screen_text(app).splitlines() if "…" in line]
        assert len(lines) == 1, screen_text(app)
        start, end = lines[0].strip(" │").split("…")
        assert db.display_url.startswith(start) and start.startswith("sqlite:///")
        assert db.display_url.endswith(end) and end.endswith("/crm.sqlite3")
        assert len(lines[0].rstrip()) <= SMALL[0]
    db.dispose()


@pytest.mark.one_backend  # the keys do not depend on the database
async def test_the_russian_layout_sorts_the_client_list_and_the_latin_keys_are_shown(demo_db):
    app = make_app(demo_db, login="ivanov")
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        await pilot.press("f2")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientsScreen"
        await pilot.press("ы")  # the key of «s»: name → INN
        await pilot.press("Ы")  # and of «S»: descending
        await settle(pilot, app)
        assert "sorted by INN ↓" in screen_text(app)

        footer = screen_text(app).rstrip("\n").splitlines()[-1]
        assert "f Filter" in footer and "i Forgotten" in footer and "^n New" in footer
        assert not any(keys.is_twin(ch) for ch in footer)

        await pilot.press("f1")
        await settle(pilot, app)
        assert "Keys of this screen" in screen_text(app)
        console = Console(width=100, file=io.StringIO(), record=True)
        console.print(key_table(app.screen.target))  # type: ignore[attr-defined]
        rows = [line.split() for line in console.export_text().splitlines()[1:] if line.strip()]
        shown = {row[0]: " ".join(row[1:]) for row in rows}
        assert shown["s"] == "Sort" and shown["S"] == "Reverse the sort" and shown["f"] == "Filter"
        assert [key for key in shown if keys.is_twin(key)] == []
        await pilot.press("escape")
        await settle(pilot, app)

        await pilot.press("ctrl+p")
        await pilot.press(*"Reverse")
        await settle(pilot, app)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "Reverse the sort" in text and "S · this screen" in text
        assert "Ы · this screen" not in text
