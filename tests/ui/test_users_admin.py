"""«Администрирование → Пользователи» (U1–U4), driven as an administrator does at 80×24,
on the demo database (SQLite and Firebird): users are added, locked, given passwords and
rights there, each change is audited and takes effect at the next login."""

from __future__ import annotations

import pytest
from tests.services.firebird_login_support import drop_logins, new_login, per_user_database
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle

from qstui.app import QstuiApp
from qstui.db.grants import OWN_LOGIN
from qstui.domain import rights as R
from qstui.domain.audit import change_lines
from qstui.domain.enums import Role
from qstui.domain.errors import AccessDenied
from qstui.screens.audit_log import AuditLogScreen
from qstui.screens.dialogs.user_forms import CopyRightsDialog, NewUserDialog, RightsDialog
from qstui.screens.users_admin import UsersAdminScreen
from qstui.services.access import audit_log, own_logins
from qstui.services.access import users as U
from qstui.services.context import Context, context_for
from qstui.ui.modules import allowed
from qstui.widgets.module_panel import ModulePanel

PASSWORD = "Nov-parol-7"


async def open_users(pilot, app: QstuiApp) -> UsersAdminScreen:
    await pilot.press("f10")
    await settle(pilot, app)
    assert isinstance(app.screen, UsersAdminScreen)
    return app.screen


async def to_user(pilot, app: QstuiApp, login: str) -> None:
    screen = app.screen
    assert isinstance(screen, UsersAdminScreen)
    screen.table.move_cursor(row=[i.login for i in screen.infos].index(login))
    await pilot.pause()


async def type_into(pilot, app: QstuiApp, field: str, text: str) -> None:
    widget = app.screen.query_one(f"#input-{field}")
    widget.focus()
    widget.value = ""  # type: ignore[attr-defined]
    await pilot.press(*text)


def panel_modules(app: QstuiApp) -> list[str]:
    panel = app.screen.query_one(ModulePanel)
    return [panel.get_option_at_index(i).id for i in range(panel.option_count)]


async def test_an_admin_adds_a_user_with_ivanov_s_rights_who_then_sees_his_modules(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        assert "admin" in panel_modules(app)
        screen = await open_users(pilot, app)
        text = screen_text(app)
        assert "ivanov" in text and "petrova" in text and "Login" in text
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, NewUserDialog)
        await type_into(pilot, app, "login", "ivanov")  # taken
        await type_into(pilot, app, "name", "Смирнов Олег")
        await type_into(pilot, app, "department", "Продажи")
        app.screen.query_one("#input-role").value = Role.HEAD.value  # not ivanov's rights
        await type_into(pilot, app, "password", PASSWORD)
        await type_into(pilot, app, "password2", PASSWORD + "x")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = screen_text(app)
        assert "The two passwords differ" in text and PASSWORD not in text
        await type_into(pilot, app, "password2", PASSWORD)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, NewUserDialog)
        assert "The login ivanov is taken" in screen_text(app)
        await type_into(pilot, app, "login", "smirnov")
        await type_into(pilot, app, "password", "abc")
        await type_into(pilot, app, "password2", "abc")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "at least 4 characters" in screen_text(app)
        # nothing typed was lost: the name is still there
        assert app.screen.query_one("#input-name").value == "Смирнов Олег"
        await type_into(pilot, app, "password", PASSWORD)
        await type_into(pilot, app, "password2", PASSWORD)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen and "smirnov" in [i.login for i in screen.infos]
        assert set(U.user_rights(Context.system(demo_db), "smirnov")) == R.PRESETS[Role.HEAD]
        await to_user(pilot, app, "smirnov")
        await pilot.press("c")
        await settle(pilot, app)
        assert isinstance(app.screen, CopyRightsDialog)
        app.screen.query_one("#input-source").value = "ivanov"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        await pilot.press("ctrl+o")
        await log_in(pilot, app, "smirnov", PASSWORD)
        assert app.ctx is not None and app.ctx.login == "smirnov"
        ivanov = context_for(demo_db, "ivanov")
        assert app.ctx.rights == ivanov.rights
        assert panel_modules(app) == [m.name for m in allowed(ivanov.rights)]
        assert "admin" not in panel_modules(app)
    system = Context.system(demo_db)
    info = U.get_user(system, "smirnov")
    assert info.department == "Продажи" and info.full_name == "Смирнов Олег"
    records = audit_log.list_audit(system, object_kind="user", object_id=info.id)
    copied = [r for r in records if "copied_from" in r.changes]
    assert [(r.user_login, r.changes["copied_from"]) for r in copied] == [
        ("admin", [None, "ivanov"])
    ]
    assert records[-1].changes["login"] == [None, "smirnov"] and records[-1].user_login == "admin"
    assert all(PASSWORD not in str(r.changes) for r in records)


async def test_lock_a_new_password_rights_and_the_audit_log_take_effect(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        screen = await open_users(pilot, app)
        await to_user(pilot, app, "petrova")
        await pilot.press("l")
        await settle(pilot, app)
        assert next(i for i in screen.infos if i.login == "petrova").is_locked
        await pilot.pause()
        assert "locked" in screen_text(app)
        await pilot.press("ctrl+o")
        await log_in(pilot, app, "petrova", "demo")
        assert app.ctx is None
        await log_in(pilot, app, "admin")
        screen = await open_users(pilot, app)
        await to_user(pilot, app, "petrova")
        await pilot.press("l")  # unlock
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        await type_into(pilot, app, "password", PASSWORD)
        await type_into(pilot, app, "password2", PASSWORD)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        await pilot.press("r")  # the checklist: take «Module: calendar» away
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, RightsDialog)
        text = screen_text(app)
        assert "Module: calendar" in text and "Visibility" in text
        modules = dialog.query_one("#rights-module")
        assert R.CALENDAR in modules.selected
        modules.deselect(R.CALENDAR)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        # the audit log, filtered by who, what object and period, shows these changes
        await pilot.press("a")
        await settle(pilot, app)
        assert isinstance(app.screen, AuditLogScreen)
        petrova = next(i for i in screen.infos if i.login == "petrova")
        await type_into_audit(pilot, app, "who", "admin")
        await type_into_audit(pilot, app, "object", f"user:{petrova.id}")
        await type_into_audit(pilot, app, "since", "32.13.2026")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Period: a date as DD.MM.YYYY" in screen_text(app)
        assert app.screen.query_one("#audit-since").value == "32.13.2026"  # kept
        await type_into_audit(pilot, app, "since", "")
        await pilot.press("enter")
        await settle(pilot, app)
        records = app.screen.records
        assert [r.user_login for r in records] == ["admin"] * 4
        assert {r.object_id for r in records} == {petrova.id}
        changes = [line for r in records for line in change_lines(r)]
        assert "is_locked: yes → no" in changes and "is_locked: no → yes" in changes
        await pilot.pause()
        assert "rights: " in screen_text(app)  # the newest record's changes, in full
        await type_into_audit(pilot, app, "object", "company")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.pause()
        assert app.screen.records == [] and "No audit records" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await log_in(pilot, app, "petrova", "demo")
        assert app.ctx is None  # the old password is refused
        await log_in(pilot, app, "petrova", PASSWORD)
        assert app.ctx is not None and app.ctx.login == "petrova"
        assert R.CALENDAR not in app.ctx.rights and "calendar" not in panel_modules(app)
    U.set_password(Context.system(demo_db), "petrova", "demo")
    U.grant(Context.system(demo_db), "petrova", R.CALENDAR)


async def type_into_audit(pilot, app: QstuiApp, name: str, text: str) -> None:
    widget = app.screen.query_one(f"#audit-{name}")
    widget.focus()
    widget.value = ""  # type: ignore[attr-defined]
    if text:
        await pilot.press(*text)


def test_a_manager_calling_the_services_directly_is_refused(demo_db):
    manager = context_for(demo_db, "ivanov")
    calls = [
        lambda: U.list_users(manager),
        lambda: U.create_user(manager, "intruder", "Взломщик", Role.ADMIN, PASSWORD),
        lambda: U.set_password(manager, "admin", PASSWORD),
        lambda: U.lock_user(manager, "admin"),
        lambda: U.unlock_user(manager, "ivanov"),
        lambda: U.set_rights(manager, "ivanov", R.CATALOGUE),
        lambda: U.copy_rights(manager, "admin", "ivanov"),
        lambda: audit_log.list_audit(manager),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    system = Context.system(demo_db)
    assert "intruder" not in [i.login for i in U.list_users(system)]
    assert R.USERS_ADMIN not in U.user_rights(system, "ivanov")


async def test_with_per_user_logins_the_new_user_gets_an_own_firebird_login(db):
    """As ``qstui user add`` does: the admin on the owner's URL adds a user, whose
    password becomes a Firebird login's (no hash kept) and opens the own connection."""
    if db.backend != "firebird":
        pytest.skip("Firebird only: per-user logins are the Firebird server's logins")
    system = Context.system(db)
    own_logins.switch(system, True)
    boss, name = new_login(), new_login()
    try:
        U.create_user(system, boss, "Админ", Role.ADMIN, PASSWORD)
        app = make_app(db)
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot, app, boss, PASSWORD)
            await open_users(pilot, app)
            await pilot.press("n")
            await settle(pilot, app)
            await type_into(pilot, app, "login", name)
            await type_into(pilot, app, "name", "Петров Пётр")
            await type_into(pilot, app, "password", PASSWORD)
            await type_into(pilot, app, "password2", PASSWORD)
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, UsersAdminScreen), screen_text(app)
            await pilot.press("ctrl+o")  # log out: an own connection is closed
        from sqlalchemy import select

        from qstui.db.models import AppUser

        with db.reader() as s:
            assert s.scalar(select(AppUser.pass_hash).where(AppUser.login == name)) == OWN_LOGIN
        shared = per_user_database(db)
        app = make_app(shared)
        try:
            async with app.run_test(size=SMALL) as pilot:
                await log_in(pilot, app, name, PASSWORD)
                assert app.ctx is not None and app.ctx.db.url.username == name
                await pilot.press("ctrl+o")
        finally:
            shared.dispose()
    finally:
        drop_logins(db, [boss, name])
