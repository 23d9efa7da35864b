"""Logging in and the start page, driven as a person would."""

from __future__ import annotations

import pytest
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle

from qstui.db.engine import Database


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


async def test_login_opens_today_with_my_plans(demo_db):
    app = make_app(demo_db, login="ivanov")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        await pilot.press(*"demo", "enter")
        await settle(pilot, app)
        assert app.ctx is not None and app.ctx.login == "ivanov"
        assert type(app.screen).__name__ == "TodayScreen"
        text = screen_text(app)
        assert "Today" in text and "Modules" in text
        assert "Clients" in text  # the module panel, built from the rights


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
