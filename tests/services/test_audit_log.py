"""Reading the audit log (U4): filters, order, users, rights — on both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import AuditEntry
from qstui.domain.audit import AuditRecord
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.access import users as U
from qstui.services.access.audit_log import list_audit
from qstui.services.access.settings import set_setting
from qstui.services.context import Context, context_for

PASSWORD = "Audit-пароль-1"
TIMES = (
    datetime(2025, 1, 10, 9),
    datetime(2025, 2, 10, 9),
    datetime(2025, 2, 11, 9),
    datetime(2025, 3, 1, 9),
)


def entry(
    db: Database,
    ctx: Context,
    kind: str,
    object_id: int,
    changes: dict | None,
    at: datetime,
    action: AuditAction = AuditAction.UPDATE,
) -> int:
    with db.transaction() as s:
        audit.record(s, ctx, action, kind, object_id, changes)
        s.flush()
        row = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        row.logged_at = at
        return row.id


@pytest.fixture
def log(db: Database) -> dict[str, int]:
    """Users boss (admin) and anna (manager); a few entries on known days."""
    system = Context.system(db)
    U.create_user(system, "boss", "Большой Босс", Role.ADMIN, PASSWORD)
    U.create_user(system, "anna", "Анна Иванова", Role.MANAGER, PASSWORD)
    # the entries above are "now"; these are in the past, on known days
    boss = context_for(db, "boss")
    anna = context_for(db, "anna")
    create, delete = AuditAction.CREATE, AuditAction.DELETE
    renamed = {"name": ["Ромашка", "Ромашка-Плюс"], "inn": [None, "7707083893"]}
    return {
        "old": entry(db, anna, "company", 42, {"name": [None, "Ромашка"]}, TIMES[0], create),
        "mid": entry(db, anna, "company", 42, renamed, TIMES[1]),
        "other": entry(db, boss, "company", 43, {"city": ["Тверь", "Москва"]}, TIMES[2]),
        "deal": entry(db, system, "deal", 42, {"title": ["A", None]}, TIMES[3], delete),
    }


def test_newest_first_with_users_and_changes(db, log):
    records = list_audit(Context.system(db))
    assert all(isinstance(r, AuditRecord) for r in records)
    times = [(r.logged_at, r.id) for r in records]
    assert times == sorted(times, reverse=True)
    past = [r for r in records if r.logged_at.year == 2025]
    assert [r.id for r in past] == [log["deal"], log["other"], log["mid"], log["old"]]
    deal, other, mid, old = past
    assert (deal.user_login, deal.user_name, deal.action) == (
        "system",
        "system",
        AuditAction.DELETE,
    )
    assert (other.user_login, other.user_name) == ("boss", "Большой Босс")
    assert (mid.user_login, mid.user_name) == ("anna", "Анна Иванова")
    assert mid.changes == {"name": ["Ромашка", "Ромашка-Плюс"], "inn": [None, "7707083893"]}
    assert (mid.object_kind, mid.object_id, mid.action) == ("company", 42, AuditAction.UPDATE)
    assert old.logged_at == datetime(2025, 1, 10, 9)
    # the users were created by the CLI admin context
    created = [r for r in records if r.object_kind == "user"]
    assert len(created) == 2 and {r.user_login for r in created} == {"system"}


def test_filters(db, log):
    ctx = Context.system(db)

    def found(**filters) -> list[int]:
        return [r.id for r in list_audit(ctx, **filters)]

    assert found(object_kind="company", object_id=42) == [log["mid"], log["old"]]
    assert found(object_kind=" COMPANY ") == [log["other"], log["mid"], log["old"]]
    assert found(object_id=42) == [log["deal"], log["mid"], log["old"]]
    assert found(object_kind="deal") == [log["deal"]]
    assert found(object_kind="claim") == []
    assert found(user_login="anna") == [log["mid"], log["old"]]
    assert found(user_login=" Boss ") == [log["other"]]
    assert found(user_login="system", object_kind="deal") == [log["deal"]]
    assert found(since=datetime(2025, 2, 10, 9))[-3:] == [log["deal"], log["other"], log["mid"]]
    since_feb_11 = found(since=date(2025, 2, 11))
    assert log["other"] in since_feb_11 and log["deal"] in since_feb_11
    assert log["mid"] not in since_feb_11 and log["old"] not in since_feb_11
    assert found(object_kind="company", user_login="anna", since=date(2025, 2, 1)) == [log["mid"]]
    assert len(found(limit=2)) == 2
    assert found(object_kind="company", limit=1) == [log["other"]]
    # a period (until: to the end of that local day) and pages (offset)
    assert found(until=date(2025, 2, 10)) == [log["mid"], log["old"]]
    assert found(since=date(2025, 2, 11), until=date(2025, 2, 11)) == [log["other"]]
    everything = found(object_kind="company")
    pages = [found(object_kind="company", limit=2, offset=n) for n in (0, 2, 4)]
    assert pages[0] + pages[1] == everything and pages[2] == []


def test_hostile_filters_are_just_values(db, log):
    ctx = Context.system(db)
    assert list_audit(ctx, object_kind="x" * 500) == []
    assert list_audit(ctx, object_kind="company'; --") == []
    assert list_audit(ctx, object_id=10**12) == []
    with pytest.raises(NotFound):
        list_audit(ctx, user_login="nobody")
    with pytest.raises(NotFound):
        list_audit(ctx, user_login="y" * 500)
    for bad in (0, -1, 10**6, True):
        with pytest.raises(ValidationFailed):
            list_audit(ctx, limit=bad)
    for bad in (-1, True):
        with pytest.raises(ValidationFailed):
            list_audit(ctx, offset=bad)


def test_reading_needs_users_admin_or_admin(db, log):
    system = Context.system(db)
    U.create_user(system, "keeper", "Keeper", Role.MANAGER, PASSWORD)
    U.create_user(system, "auditor", "Auditor", Role.MANAGER, PASSWORD)
    U.set_rights(system, "keeper", [R.USERS_ADMIN])
    U.set_rights(system, "auditor", [R.ADMIN])
    with pytest.raises(AccessDenied):
        list_audit(context_for(db, "anna"))
    head_rights = R.PRESETS[Role.HEAD]
    assert R.ADMIN not in head_rights and R.USERS_ADMIN not in head_rights
    assert len(list_audit(context_for(db, "keeper"), object_kind="company")) == 3
    assert len(list_audit(context_for(db, "auditor"), object_kind="company")) == 3


def test_service_changes_are_listed(db, log):
    ctx = Context.system(db)
    set_setting(ctx, "company.name", "ООО Тест")
    set_setting(ctx, "company.name", "ООО Тест-2")
    records = list_audit(ctx, object_kind="setting")
    assert [r.action for r in records] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert records[0].changes == {"company.name": ["ООО Тест", "ООО Тест-2"]}
    assert records[1].changes == {"company.name": [None, "ООО Тест"]}
    assert records[0].object_id == records[1].object_id
