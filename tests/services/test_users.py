"""Users and rights administration (U1–U3) in the service layer, on both backends."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from qstui.db.engine import Database
from qstui.db.models import AppUser, AuditEntry, UserRight
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.domain.users import LastAdmin, UserInfo
from qstui.services import rights as R
from qstui.services.access import users as U
from qstui.services.access.passwords import verify_password
from qstui.services.context import Context, context_for

PASSWORD = "Sekret-Пароль-42"


def _ctx(db: Database) -> Context:
    return Context.system(db)


def _db_rights(db: Database, login: str) -> set[str]:
    with db.reader() as s:
        return set(
            s.scalars(
                select(UserRight.right_code)
                .join(AppUser, AppUser.id == UserRight.user_id)
                .where(AppUser.login == login)
            )
        )


def _user_row(db: Database, login: str) -> AppUser:
    with db.reader() as s:
        user = s.scalar(select(AppUser).where(AppUser.login == login))
        assert user is not None
        s.expunge(user)  # keep the loaded values after the reader rolls back
        return user


def _audit(db: Database) -> list[AuditEntry]:
    with db.reader() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        s.expunge_all()
        return entries


def _audit_count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _set_row(db: Database, login: str, **values: object) -> None:
    with db.transaction() as s:
        user = s.scalar(select(AppUser).where(AppUser.login == login))
        for key, value in values.items():
            setattr(user, key, value)


def test_create_list_and_get_return_plain_user_info(db):
    ctx = _ctx(db)
    new_id = U.create_user(ctx, " Anna ", "Анна Иванова", Role.MANAGER, PASSWORD, "Продажи")

    users = U.list_users(ctx)
    assert [u.login for u in users] == ["anna"]
    info = users[0]
    assert type(info) is UserInfo
    assert info.id == new_id
    assert info.full_name == "Анна Иванова"
    assert info.role is Role.MANAGER
    assert info.department == "Продажи"
    assert (info.is_locked, info.locked_until, info.failed_logins) == (False, None, 0)
    assert set(info.rights) == R.PRESETS[Role.MANAGER]
    assert list(info.rights) == [code for code in R.CATALOGUE if code in info.rights]
    assert U.get_user(ctx, "ANNA") == info
    assert U.user_rights(ctx, "anna") == list(info.rights)


def test_password_is_stored_only_as_an_argon2_hash(db):
    ctx = _ctx(db)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    stored = _user_row(db, "anna").pass_hash
    assert stored.startswith("$argon2")
    assert stored != PASSWORD
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    rows = _audit(db)
    assert rows, "the creation is audited"
    assert all(PASSWORD not in json.dumps(row.changes, ensure_ascii=False) for row in rows)


def test_create_user_validates_and_writes_nothing(db):
    ctx = _ctx(db)
    with pytest.raises(ValidationFailed) as err:
        U.create_user(ctx, "bad login!", "", Role.MANAGER, "abc")
    assert set(err.value.errors) == {"login", "name", "password"}
    with pytest.raises(ValidationFailed) as err:
        U.create_user(ctx, "anna", "Anna", "boss", PASSWORD)  # type: ignore[arg-type]
    assert "role" in err.value.errors
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    with pytest.raises(ValidationFailed) as err:
        U.create_user(ctx, "ANNA", "Other Anna", Role.HEAD, PASSWORD)
    assert "login" in err.value.errors
    assert [u.login for u in U.list_users(ctx)] == ["anna"]


def test_set_password_replaces_the_hash_and_resets_failed_logins(db):
    ctx = _ctx(db)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    _set_row(db, "anna", failed_logins=3)
    before = _audit_count(db)

    U.set_password(ctx, "anna", "new-пароль")
    row = _user_row(db, "anna")
    assert row.failed_logins == 0
    assert verify_password(row.pass_hash, "new-пароль")
    assert not verify_password(row.pass_hash, PASSWORD)
    entries = _audit(db)[before:]
    assert len(entries) == 1
    assert entries[0].changes["pass_hash"] == ["***", "***"]
    assert entries[0].changes["failed_logins"] == [3, 0]
    assert "new-пароль" not in json.dumps(entries[0].changes, ensure_ascii=False)

    with pytest.raises(ValidationFailed) as err:
        U.set_password(ctx, "anna", "abc")
    assert "password" in err.value.errors
    assert verify_password(_user_row(db, "anna").pass_hash, "new-пароль")
    with pytest.raises(NotFound):
        U.set_password(ctx, "nobody", "long enough")


def test_lock_and_unlock(db):
    ctx = _ctx(db)
    U.create_user(ctx, "boss", "Boss", Role.ADMIN, PASSWORD)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)

    U.lock_user(ctx, "anna")
    assert U.get_user(ctx, "anna").is_locked
    assert _user_row(db, "anna").is_locked is True
    U.lock_user(ctx, "anna")  # already locked: harmless
    assert _user_row(db, "anna").is_locked is True

    _set_row(db, "anna", failed_logins=5, locked_until=_user_row(db, "anna").created_at)
    U.unlock_user(ctx, "anna")
    row = _user_row(db, "anna")
    assert (row.is_locked, row.locked_until, row.failed_logins) == (False, None, 0)
    changes = _audit(db)[-1].changes
    assert changes["is_locked"] == [True, False]
    assert changes["failed_logins"] == [5, 0]
    assert changes["locked_until"][1] is None

    with pytest.raises(NotFound):
        U.lock_user(ctx, "nobody")


def test_the_last_unlocked_admin_cannot_be_locked_or_lose_users_admin(db):
    ctx = _ctx(db)
    U.create_user(ctx, "boss", "Boss", Role.ADMIN, PASSWORD)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    before = _audit_count(db)

    with pytest.raises(LastAdmin, match="boss"):
        U.lock_user(ctx, "boss")
    with pytest.raises(LastAdmin):
        U.revoke(ctx, "boss", R.USERS_ADMIN, R.EXPORT)
    with pytest.raises(LastAdmin):
        U.copy_rights(ctx, "anna", "boss")
    with pytest.raises(LastAdmin):
        U.set_rights(ctx, "boss", [R.CLIENTS])
    assert _user_row(db, "boss").is_locked is False
    assert _db_rights(db, "boss") == set(R.CATALOGUE)
    assert _audit_count(db) == before

    # Other rights of the last admin can go; a second admin makes the first one optional.
    U.revoke(ctx, "boss", R.EXPORT)
    U.grant(ctx, "anna", R.USERS_ADMIN)
    U.lock_user(ctx, "boss")
    assert _user_row(db, "boss").is_locked is True
    # a locked administrator does not count: anna is now the last one
    with pytest.raises(LastAdmin, match="anna"):
        U.revoke(ctx, "anna", R.USERS_ADMIN)
    with pytest.raises(LastAdmin):
        U.lock_user(ctx, "anna")
    U.unlock_user(ctx, "boss")
    U.revoke(ctx, "anna", R.USERS_ADMIN)
    assert R.USERS_ADMIN not in _db_rights(db, "anna")


def test_an_admin_cannot_lock_their_own_account(db):
    system = _ctx(db)
    U.create_user(system, "boss", "Boss", Role.ADMIN, PASSWORD)
    U.create_user(system, "deputy", "Deputy", Role.ADMIN, PASSWORD)
    boss = context_for(db, "boss")
    with pytest.raises(LastAdmin):
        U.lock_user(boss, "boss")
    assert _user_row(db, "boss").is_locked is False
    U.lock_user(boss, "deputy")
    assert _user_row(db, "deputy").is_locked is True
    entry = _audit(db)[-1]
    assert entry.user_id == boss.user_id and entry.changes == {"is_locked": [False, True]}


def test_grant_and_revoke_are_audited(db):
    ctx = _ctx(db)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    start = set(R.PRESETS[Role.MANAGER])

    after = U.grant(ctx, "anna", "EXPORT", R.DELETE, R.DELETE)
    assert set(after) == _db_rights(db, "anna") == start | {R.EXPORT, R.DELETE}
    entry = _audit(db)[-1]
    assert entry.action is AuditAction.UPDATE and entry.object_kind == "user"
    old, new = entry.changes["rights"]
    assert set(old) == start and set(new) == start | {R.EXPORT, R.DELETE}

    after = U.revoke(ctx, "anna", R.EDIT, R.DELETE, R.ONEC)  # onec: not held, ignored
    assert set(after) == _db_rights(db, "anna") == (start - {R.EDIT}) | {R.EXPORT}
    old, new = _audit(db)[-1].changes["rights"]
    assert R.EDIT in old and R.EDIT not in new

    count = _audit_count(db)
    U.grant(ctx, "anna", R.EXPORT)  # nothing new: nothing to audit
    assert _audit_count(db) == count


def test_unknown_rights_or_login_change_nothing(db):
    ctx = _ctx(db)
    U.create_user(ctx, "anna", "Anna", Role.MANAGER, PASSWORD)
    rights_before, audit_before = _db_rights(db, "anna"), _audit_count(db)

    with pytest.raises(ValidationFailed) as err:
        U.grant(ctx, "anna", R.EXPORT, "fly", "teleport")
    assert "fly, teleport" in err.value.errors["rights"]
    assert R.USERS_ADMIN in err.value.errors["rights"]  # the valid codes are listed
    with pytest.raises(ValidationFailed):
        U.revoke(ctx, "anna", R.EDIT, "fly")
    with pytest.raises(NotFound):
        U.grant(ctx, "nobody", R.EXPORT)
    with pytest.raises(NotFound):
        U.copy_rights(ctx, "anna", "nobody")
    with pytest.raises(NotFound):
        U.get_user(ctx, "nobody")
    assert _db_rights(db, "anna") == rights_before
    assert _audit_count(db) == audit_before


def test_copy_rights_makes_the_target_set_exactly_the_source_set(db):
    ctx = _ctx(db)
    U.create_user(ctx, "boss", "Boss", Role.ADMIN, PASSWORD)
    U.create_user(ctx, "source", "Source", Role.MANAGER, PASSWORD)
    U.create_user(ctx, "target", "Target", Role.HEAD, PASSWORD)
    U.grant(ctx, "source", R.EXPORT, R.ONEC_EXCHANGE)
    U.revoke(ctx, "source", R.FUNNEL, R.EDIT)
    U.grant(ctx, "target", R.USERS_ADMIN, R.SEE_ALL)  # extras that must go
    source = _db_rights(db, "source")
    target_before = _db_rights(db, "target")
    assert target_before - source and source - target_before

    result = U.copy_rights(ctx, "source", "TARGET")
    assert set(result) == source
    assert _db_rights(db, "target") == source
    assert _db_rights(db, "source") == source
    entry = _audit(db)[-1]
    assert entry.object_id == U.get_user(ctx, "target").id
    old, new = entry.changes["rights"]
    assert set(old) == target_before and set(new) == source
    assert entry.changes["copied_from"] == [None, "source"]


def test_rights_administration_needs_users_admin(db):
    system = _ctx(db)
    U.create_user(system, "anna", "Anna", Role.MANAGER, PASSWORD)
    U.create_user(system, "boss", "Boss", Role.ADMIN, PASSWORD)
    anna = context_for(db, "anna")
    for call in (
        lambda: U.list_users(anna),
        lambda: U.get_user(anna, "boss"),
        lambda: U.user_rights(anna, "anna"),
        lambda: U.grant(anna, "anna", R.USERS_ADMIN),
        lambda: U.revoke(anna, "boss", R.EXPORT),
        lambda: U.copy_rights(anna, "boss", "anna"),
        lambda: U.lock_user(anna, "boss"),
        lambda: U.unlock_user(anna, "anna"),
        lambda: U.set_password(anna, "boss", "taken over"),
        lambda: U.create_user(anna, "eve", "Eve", Role.ADMIN, PASSWORD),
    ):
        with pytest.raises(AccessDenied):
            call()
    assert _db_rights(db, "anna") == set(R.PRESETS[Role.MANAGER])
    assert verify_password(_user_row(db, "boss").pass_hash, PASSWORD)
    assert [u.login for u in U.list_users(context_for(db, "boss"))] == ["anna", "boss"]


def test_copy_rights_property(db):
    ctx = _ctx(db)
    U.create_user(ctx, "boss", "Boss", Role.ADMIN, PASSWORD)  # keeps an admin around
    U.create_user(ctx, "src", "Source", Role.MANAGER, PASSWORD)
    U.create_user(ctx, "dst", "Target", Role.HEAD, PASSWORD)
    codes = st.sets(st.sampled_from(sorted(R.CATALOGUE)))

    @settings(max_examples=20, deadline=None, database=None)
    @given(source=codes, target=codes)
    def check(source: set[str], target: set[str]) -> None:
        U.set_rights(ctx, "src", source)
        U.set_rights(ctx, "dst", target)
        assert _db_rights(db, "dst") == target
        U.copy_rights(ctx, "src", "dst")
        assert _db_rights(db, "dst") == source
        assert _db_rights(db, "src") == source
        assert set(U.user_rights(ctx, "dst")) == source

    check()


def test_a_user_remembers_their_own_interface_language(db: Database) -> None:
    """``users.lang``: set by the user (no right needed, the account's version kept),
    read into the context of the next login; a bad code or no user is refused."""
    from qstui.services.access.preferences import set_own_language

    U.create_user(_ctx(db), "ivanov", "Иван Иванов", Role.MANAGER, PASSWORD)
    U.create_user(_ctx(db), "petrov", "Пётр Петров", Role.MANAGER, PASSWORD)
    ctx = context_for(db, "ivanov")
    assert ctx.lang is None
    U.revoke(_ctx(db), "ivanov", *sorted(_db_rights(db, "ivanov")))  # none at all
    version = _user_row(db, "ivanov").version
    assert set_own_language(context_for(db, "ivanov"), " RU ") == "ru"
    assert context_for(db, "ivanov").lang == "ru"
    assert _user_row(db, "ivanov").version == version
    assert context_for(db, "petrov").lang is None
    with pytest.raises(ValidationFailed) as bad:
        set_own_language(ctx, "de")
    assert set(bad.value.errors) == {"lang"}
    with pytest.raises(ValidationFailed):
        set_own_language(_ctx(db), "en")  # the administrator context is nobody
    assert context_for(db, "ivanov").lang == "ru"
