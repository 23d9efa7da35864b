"""Per-user Firebird logins (issue 10, the direct connection): the role ``QSTUI_USER``
and its grants, users' own Firebird logins made by the users service, and the services
working through a manager's own connection. Firebird only: these are the server's
logins and privileges (the SQLite runs skip them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from firebird.driver import DatabaseError
from sqlalchemy import func, select
from tests.services.client_support import company
from tests.services.fact_support import fact_differences
from tests.services.firebird_login_support import (
    drop_logins,
    new_login,
    per_user_database,
    raw_connection,
    run_sql,
)

from qstui.db import event_hours
from qstui.db.engine import Database
from qstui.db.grants import (
    LOCK_ROWS,
    NO_ACCESS,
    OWN_LOGIN,
    READ_ONLY,
    ROLE,
    WRITABLE,
    apply_grants,
    unclassified,
)
from qstui.db.models import AppUser, AuditEntry, EventHour, metadata
from qstui.domain.clients import ContactInput
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import AccountLocked, LoginFailed, ValidationFailed
from qstui.services import deals as D
from qstui.services.access import auth, direct_login, own_logins
from qstui.services.access import users as U
from qstui.services.calendar import events as E
from qstui.services.clients import card as CARD
from qstui.services.clients import contacts as CT
from qstui.services.clients import groups as G
from qstui.services.clients import mass_activities as M
from qstui.services.clients.importing import import_clients
from qstui.services.context import Context
from qstui.services.deals import payments as P
from qstui.services.errors import describe

PASSWORD = "Пароль-o'k:1"  # a quote, a colon and Cyrillic go into the SQL literal


class Server:
    """The owner's database with the per-user mode on, and the logins a test made
    (dropped from the server afterwards: logins are the server's, not the database's)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.system = Context.system(db)
        self.logins: list[str] = []

    def login(self) -> str:
        name = new_login()
        self.logins.append(name)
        return name

    def manager(self, password: str = PASSWORD) -> str:
        name = self.login()
        U.create_user(self.system, name, "Менеджер Тестовый", Role.MANAGER, password, "Продажи")
        return name

    def raw(self, login: str, password: str = PASSWORD) -> Any:
        """A connection of the firebird-driver, as a manager's own SQL tool makes it."""
        return raw_connection(self.db, login, password)

    def per_user_db(self) -> Database:
        return per_user_database(self.db)


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    if db.backend != "firebird":
        pytest.skip("Firebird only: per-user logins are the Firebird server's logins")
    own_logins.switch(Context.system(db), True)
    made = Server(db)
    yield made
    drop_logins(db, made.logins)


def _refused(cur: Any, statement: str) -> str:
    """The error of ``statement``, at once or at commit (user management is applied
    at commit)."""
    with pytest.raises(DatabaseError) as caught:
        cur.execute(statement)
        cur.fetchall() if cur.description else None
        cur.connection.commit()
    cur.connection.rollback()
    return str(caught.value)


def test_grants_are_idempotent_and_the_role_exists(server):
    first = apply_grants(server.db)
    again = apply_grants(server.db)
    assert first == again
    assert first.role == ROLE and first.written > 20 and first.read_only > 10


def test_a_manager_s_own_login_cannot_touch_users_rights_settings_or_audit(server):
    admin = server.login()
    U.create_user(server.system, admin, "Админ", Role.ADMIN, "Admin-pass-1")
    manager = server.manager()
    with server.db.reader() as s:
        hashes = set(s.scalars(select(AppUser.pass_hash)))
    assert hashes == {OWN_LOGIN}  # nothing to guess offline
    company(server.system, "ООО Ромашка")
    with server.raw(manager) as con, con.cursor() as cur:
        assert "no permission" in _refused(
            cur, f"UPDATE users SET role = 'admin' WHERE login = '{manager}'"
        )
        assert "no permission" in _refused(cur, "UPDATE user_rights SET right_code = 'see.all'")
        assert "no permission" in _refused(
            cur,
            "INSERT INTO user_rights (user_id, right_code) "
            f"SELECT id, 'see.all' FROM users WHERE login = '{manager}'",
        )
        assert "no permission" in _refused(cur, "UPDATE settings SET val = '1'")
        assert "no permission" in _refused(
            cur, "INSERT INTO settings (name, val) VALUES ('auth.max_attempts', '100')"
        )
        assert "no permission" in _refused(cur, "DELETE FROM audit_log")
        assert "no permission" in _refused(cur, "UPDATE audit_log SET user_id = NULL")
        assert "no permission" in _refused(cur, "SELECT * FROM login_delays")
        assert "no permission" in _refused(cur, "SELECT token_hash FROM user_tokens")
        assert "no permission" in _refused(cur, "SELECT secret FROM onec_bases")
        assert "no permission" in _refused(cur, "UPDATE regions SET name = 'x'")
        _refused(cur, "GRANT UPDATE ON users TO PUBLIC")
        _refused(cur, f"GRANT {ROLE} TO {admin}")
        _refused(cur, f"ALTER USER {admin} PASSWORD 'taken-over'")
        # the server's security database shows the login its own entry only
        cur.execute("SELECT sec$user_name FROM sec$users")
        assert [row[0].strip() for row in cur.fetchall()] == [manager.upper()]
        # what it may do: read (visibility is the services'), write business tables
        cur.execute("SELECT login, pass_hash FROM users")
        assert {row[1] for row in cur.fetchall()} == {OWN_LOGIN}
        cur.execute("UPDATE companies SET city = 'Тверь'")
        con.rollback()
    # the administrator's password is still the administrator's
    with server.raw(admin, "Admin-pass-1") as con:
        assert run_sql(con, "SELECT CURRENT_USER FROM rdb$database")[0][0] == admin.upper()


def test_the_services_work_through_a_manager_s_own_connection(server):
    manager = server.manager()
    ctx = direct_login.login(server.per_user_db(), manager, PASSWORD)
    try:
        assert ctx.db.per_user and ctx.login == manager
        company_id = company(ctx, "ООО Василёк")
        event_id = E.log_interaction(ctx, company_id, "call", "Позвонили")
    finally:
        ctx.db.dispose()
    with server.db.reader() as s:
        rows = s.execute(
            select(
                AuditEntry.user_id, AuditEntry.action, AuditEntry.object_kind, AuditEntry.object_id
            )
        ).all()
        user = s.execute(
            select(AppUser.id, AppUser.last_login_at).where(AppUser.login == manager)
        ).one()
    assert (user.id, AuditAction.CREATE, "company", company_id) in rows
    assert any(r.user_id == user.id and r.object_id == event_id for r in rows)
    assert user.last_login_at is not None


def test_audit_rows_of_a_manager_are_in_the_manager_s_own_name(server):
    manager, other = server.manager(), server.manager()
    with server.raw(manager) as con:
        run_sql(
            con,
            "EXECUTE PROCEDURE qstui_audit"
            "(CURRENT_TIMESTAMP, 'update', 'company', 1, NULL, 'os', 'host')",
        )
        con.commit()
    with server.db.reader() as s:
        ids = dict(s.execute(select(AppUser.login, AppUser.id)).all())
        authors = set(
            s.scalars(select(AuditEntry.user_id).where(AuditEntry.object_kind == "company"))
        )
    assert authors == {ids[manager]} and ids[other] not in authors


def test_a_locked_user_cannot_connect_and_an_unlocked_one_can(server):
    manager = server.manager()
    U.lock_user(server.system, manager)
    with pytest.raises(LoginFailed):
        direct_login.login(server.per_user_db(), manager, PASSWORD)
    with pytest.raises(DatabaseError):
        server.raw(manager)
    U.unlock_user(server.system, manager)
    direct_login.login(server.per_user_db(), manager, PASSWORD).db.dispose()


def test_a_new_password_is_the_connection_s_and_a_wrong_one_fails(server):
    manager = server.manager()
    U.set_password(server.system, manager, "Новый-пароль-2")
    with pytest.raises(LoginFailed):
        direct_login.login(server.per_user_db(), manager, PASSWORD)
    direct_login.login(server.per_user_db(), manager, "Новый-пароль-2").db.dispose()


def test_the_owner_s_connection_checks_such_a_password_with_the_server(server):
    manager = server.manager()
    assert auth.login(server.db, manager, PASSWORD).login == manager
    with pytest.raises(LoginFailed):
        auth.login(server.db, manager, "wrong-password")


def test_a_login_the_server_cannot_hold_and_a_control_character_are_refused(server):
    with pytest.raises(ValidationFailed):
        U.create_user(server.system, "иванов", "Иванов", Role.MANAGER, PASSWORD)
    name = server.login()
    with pytest.raises(ValidationFailed):
        U.create_user(server.system, name, "Иванов", Role.MANAGER, "bad\npass")
    with server.db.reader() as s:
        assert s.scalar(select(AppUser.id).where(AppUser.login == name)) is None


def test_a_qstui_lock_stands_when_the_firebird_login_is_active(server):
    manager = server.manager()
    with server.db.transaction() as s:
        s.execute(AppUser.__table__.update().where(AppUser.login == manager).values(is_locked=True))
    with pytest.raises(AccountLocked):
        direct_login.login(server.per_user_db(), manager, PASSWORD)


def test_an_administrator_on_an_own_login_is_told_to_use_the_owner_s_credentials(server):
    admin, manager = server.login(), server.manager()
    U.create_user(server.system, admin, "Админ", Role.ADMIN, "Admin-pass-1")
    ctx = direct_login.login(server.per_user_db(), admin, "Admin-pass-1")
    try:
        with pytest.raises(Exception) as caught:
            U.lock_user(ctx, manager)
        message = str(describe(caught.value))
        assert "owner's credentials" in message and "Traceback" not in message
    finally:
        ctx.db.dispose()
    with server.db.reader() as s:
        assert not s.scalar(select(AppUser.is_locked).where(AppUser.login == manager))


def test_a_firebird_login_without_a_qstui_account_is_refused(server):
    stray = server.login()
    with server.db.engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE USER {stray} PASSWORD 'Stray-1' USING PLUGIN Srp")
        conn.exec_driver_sql(f"GRANT {ROLE} TO {stray}")
        conn.commit()
    with pytest.raises(LoginFailed):
        direct_login.login(server.per_user_db(), stray, "Stray-1")
    with server.raw(stray, "Stray-1") as con, pytest.raises(DatabaseError):  # no audit rows
        run_sql(
            con,
            "EXECUTE PROCEDURE qstui_audit(CURRENT_TIMESTAMP, 'update', 'x', 1, NULL, NULL, NULL)",
        )


@pytest.mark.one_backend
def test_every_table_is_in_exactly_one_list_of_the_role():
    """A table a migration adds gets nothing from the role until it is put in a list."""
    names = {t.name for t in metadata.sorted_tables}
    assert unclassified(sorted(names)) == []
    lists = [WRITABLE, READ_ONLY, NO_ACCESS, LOCK_ROWS]
    assert sum(len(group) for group in lists) == len(set().union(*lists))
    assert set().union(*lists) - names == {"alembic_version"}
    assert unclassified(["a_new_table"]) == ["a_new_table"]


def test_bulk_writes_of_a_manager_keep_their_audit_rows(server, clock_at):
    """An import and a mass activity write many rows at once (ids reserved from the
    identity generator, audit rows in a batch): on a manager's own connection too."""
    clock_at(date(2026, 11, 25))
    manager = server.manager()
    ctx = direct_login.login(server.per_user_db(), manager, PASSWORD)
    try:
        data = "Наименование;ИНН;Город\nАльфа;;Тверь\nБета;;Омск\n".encode()
        report = import_clients(ctx, data, apply=True)
        assert report.created == 2
        group_id = G.create_group(ctx, "Рассылка")
        ids = [line.company_id for line in report.lines]
        G.add_members(ctx, group_id, ids)
        M.plan_mass_activity(ctx, group_id, "Обзвон", date(2026, 11, 26))
    finally:
        ctx.db.dispose()
    with server.db.reader() as s:
        kinds = s.execute(
            select(AuditEntry.object_kind, AuditEntry.user_id, AppUser.login).join(
                AppUser, AppUser.id == AuditEntry.user_id
            )
        ).all()
    assert {(k, login) for k, _id, login in kinds} >= {("company", manager), ("event", manager)}


def test_a_manager_s_day_on_an_own_login(server, clock_at):
    """The everyday writes of a manager — a contact, a plan and its result, a deal, a
    payment, a won deal, a client card — work with the role's grants alone."""
    now = clock_at(date(2026, 11, 25))
    manager = server.manager()
    ctx = direct_login.login(server.per_user_db(), manager, PASSWORD)
    try:
        company_id = company(ctx, "ООО Ромашка")
        CT.add_contact(
            ctx, company_id, ContactInput(last_name="Петров"), phones=["+7 495 123-45-67"]
        )
        plan_id = E.plan_event(ctx, company_id, "call", "Перезвонить", now)
        E.complete_event(ctx, plan_id, 1, result_text="Договорились")
        deal_id = D.create_deal(ctx, company_id, "Поставка")
        P.add_payment(ctx, deal_id, "actual", date(2026, 11, 25), "1000")
        second = D.stage_ids_of(ctx, deal_id)[1]
        D.move_to_stage(ctx, deal_id, D.get_deal(ctx, deal_id).version, second)
        deal = D.get_deal(ctx, deal_id)
        D.win_deal(ctx, deal_id, deal.version)
        card = CARD.get_card(ctx, company_id)
        assert card.name == "ООО Ромашка"
        # the hourly counts' rows of ±1 are folded by the procedure the role may run
        event_hours.merge(ctx.db)
    finally:
        ctx.db.dispose()
    with server.db.reader() as s:
        kinds = set(s.scalars(select(AuditEntry.object_kind)))
    assert {"company", "contact", "event", "deal", "payment"} <= kinds
    # the reports' copies were written by their triggers, which hold the grants the
    # role lacks
    assert fact_differences(server.db) == []
    with server.db.reader() as s:
        assert s.scalar(select(func.count()).where(EventHour.fresh.is_(True))) == 0
        assert s.scalar(select(func.sum(EventHour.done))) == 1
    with server.raw(manager) as con, con.cursor() as cur:
        assert "no permission" in _refused(cur, "UPDATE deal_facts SET amount = 0")
        assert "no permission" in _refused(cur, "DELETE FROM stage_facts")


def test_a_manager_remembers_their_own_language_and_no_one_elses(server):
    """The role cannot write ``users``: the procedure writes the connected login's own
    language, which the next login reads."""
    from qstui.services.access.preferences import set_own_language

    manager = server.manager()
    ctx = direct_login.login(server.per_user_db(), manager, PASSWORD)
    try:
        assert set_own_language(ctx, "EN") == "en"
    finally:
        ctx.db.dispose()
    again = direct_login.login(server.per_user_db(), manager, PASSWORD)
    try:
        assert again.lang == "en"
    finally:
        again.db.dispose()
    with server.db.reader() as s:
        others = s.scalars(select(AppUser.lang).where(AppUser.login != manager)).all()
    assert "en" not in others
