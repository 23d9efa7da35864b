"""The login screen with per-user Firebird logins: the URL names the server and the
path only, and the login typed is the connection's (Firebird only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.services.firebird_login_support import drop_logins, new_login, per_user_database
from tests.ui.conftest import SMALL, log_in, make_app, screen_text

from qstui.db.engine import Database
from qstui.domain.enums import Role
from qstui.services.access import own_logins
from qstui.services.access import users as U
from qstui.services.context import Context

PASSWORD = "Uipass42"


@pytest.fixture
def manager(db: Database) -> Iterator[str]:
    if db.backend != "firebird":
        pytest.skip("Firebird only: per-user logins are the Firebird server's logins")
    system = Context.system(db)
    own_logins.switch(system, True)
    name = new_login()
    try:
        U.create_user(system, name, "Анна Петрова", Role.MANAGER, PASSWORD, "Продажи")
        yield name
    finally:
        drop_logins(db, [name])


async def test_the_login_screen_s_login_is_the_connection_s(db, manager):
    shared = per_user_database(db)
    app = make_app(shared)
    try:
        async with app.run_test(size=SMALL) as pilot:
            assert shared.needs_login and "SYSDBA" not in screen_text(app)
            await log_in(pilot, app, manager, "wrong")
            assert app.ctx is None and "Wrong login or password" in screen_text(app)
            await log_in(pilot, app, manager, PASSWORD)
            assert app.ctx is not None and app.ctx.login == manager
            assert app.ctx.db.per_user and app.ctx.db.url.username == manager
            assert type(app.screen).__name__ == "TodayScreen"
            own = app.ctx.db
            await pilot.press("ctrl+o")  # log out: the own connection is closed
            assert app.ctx is None and own.engine.pool.checkedout() == 0
    finally:
        shared.dispose()


async def test_a_locked_user_is_refused_by_the_server(db, manager):
    U.lock_user(Context.system(db), manager)
    shared = per_user_database(db)
    app = make_app(shared)
    try:
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot, app, manager, PASSWORD)
            assert app.ctx is None and "Wrong login or password" in screen_text(app)
    finally:
        shared.dispose()
