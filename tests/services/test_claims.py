"""Claims — претензии (C7): registration, workflow with history, visibility, report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from calendar_support import (
    Team,
    audit_count,
    company,
    count,
    department_id,
    local,
    make_team,
    moscow_time,
)
from sqlalchemy import select

from qstui.db.models import AuditEntry, Claim, ClaimChange
from qstui.domain.claims import ClaimCard, ClaimsReport
from qstui.domain.enums import AuditAction, ClaimStatus
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services.calendar import events as C
from qstui.services.clients import claims as CL

NOW = datetime(2026, 3, 4, 9, 0)  # Wednesday 12:00 in Moscow (UTC+3), as stored


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


@pytest.fixture
def team(db) -> Team:
    return make_team(db)


@pytest.fixture
def world(db, team):
    ids = {
        "romashka": company(db, "Ромашка", team.id("anna")),
        "lutik": company(db, "Лютик", team.id("anna")),
        "roza": company(db, "Роза", team.id("vera")),
    }
    ids["call"] = C.log_interaction(
        team.anna, ids["romashka"], "call", "Жалоба на доставку", when=NOW, now=NOW
    )
    ids["lutik_call"] = C.log_interaction(
        team.anna, ids["lutik"], "call", "Звонок", when=NOW, now=NOW
    )
    ids["support"] = department_id(db, "Поддержка")
    return ids


def _claim(db, claim_id: int) -> Claim:
    with db.reader() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        s.expunge(claim)
        return claim


def _changes(db, claim_id: int) -> list[tuple]:
    with db.reader() as s:
        return [
            (c.old_status, c.new_status, c.changed_by, c.note)
            for c in s.scalars(
                select(ClaimChange).where(ClaimChange.claim_id == claim_id).order_by(ClaimChange.id)
            )
        ]


def test_register_records_the_claim_and_its_first_history_row(db, team, world):
    claim_id = CL.register_claim(
        team.anna,
        world["romashka"],
        "  Сорвали сроки поставки ",
        description="Роутеры пришли на неделю позже",
        department_id=world["support"],
        employee_id=team.id("vera"),
        event_id=world["call"],
        plan_text="Проверить логистику",
        plan_due=date(2026, 3, 10),
        now=NOW,
    )
    claim = _claim(db, claim_id)
    assert claim.status == ClaimStatus.NEW
    assert claim.subject == "Сорвали сроки поставки"
    assert (claim.registered_at, claim.registered_by) == (NOW, team.id("anna"))
    assert claim.event_id == world["call"]
    assert _changes(db, claim_id) == [(None, ClaimStatus.NEW, team.id("anna"), None)]
    with db.reader() as s:
        assert (
            s.scalar(
                select(AuditEntry.action).where(
                    AuditEntry.object_kind == "claim", AuditEntry.object_id == claim_id
                )
            )
            == AuditAction.CREATE
        )

    card = CL.get_claim(team.anna, claim_id, now=NOW)
    assert isinstance(card, ClaimCard)
    assert card.row.company_name == "Ромашка"
    assert card.row.department_name == "Поддержка"
    assert card.row.employee_name == "Vera"
    assert card.event_subject == "Жалоба на доставку"
    assert card.registered_by_name == "Anna"
    assert card.next_statuses == (ClaimStatus.INVESTIGATING,)
    assert [h.new_status for h in card.history] == [ClaimStatus.NEW]
    assert card.row.overdue is False
    assert CL.get_claim(team.anna, claim_id, now=local(2026, 3, 11, 12)).row.overdue is True


def test_register_validates_every_field_and_writes_nothing(db, team, world):
    before = (count(db, Claim), count(db, ClaimChange), audit_count(db))
    with pytest.raises(ValidationFailed) as caught:
        CL.register_claim(
            team.anna,
            world["romashka"],
            " ",
            description="x" * 4001,
            department_id=999999,
            employee_id=999999,
            event_id=world["lutik_call"],  # an interaction of another company
        )
    assert set(caught.value.errors) == {
        "subject",
        "description",
        "department",
        "employee",
        "event",
    }
    with pytest.raises(NotFound):
        CL.register_claim(team.anna, world["roza"], "Чужой клиент")
    with pytest.raises(NotFound):
        CL.register_claim(team.anna, 999999, "Нет клиента")
    assert (count(db, Claim), count(db, ClaimChange), audit_count(db)) == before


def test_the_workflow_with_history_resolution_and_closing(db, team, world):
    claim_id = CL.register_claim(team.anna, world["romashka"], "Брак", now=NOW)
    v = _claim(db, claim_id).version

    with pytest.raises(ValidationFailed) as caught:
        CL.change_status(team.anna, claim_id, v, ClaimStatus.CLOSED, now=NOW)
    message = caught.value.errors["status"]
    assert "cannot move from «new» to «closed»" in message
    assert "«investigating»" in message
    with pytest.raises(ValidationFailed) as caught:
        CL.change_status(team.anna, claim_id, v, "archived", now=NOW)
    assert "archived" in caught.value.errors["status"]

    v = CL.change_status(team.anna, claim_id, v, "investigating", note="Взял в работу", now=NOW)
    # investigating → new: sent back (e.g. to another department)
    v = CL.change_status(team.anna, claim_id, v, ClaimStatus.NEW, note="Не наш отдел", now=NOW)
    v = CL.change_status(team.anna, claim_id, v, ClaimStatus.INVESTIGATING, now=NOW)

    with pytest.raises(ValidationFailed) as caught:
        CL.change_status(team.anna, claim_id, v, ClaimStatus.RESOLVED, now=NOW)
    assert set(caught.value.errors) == {"resolution"}
    assert _claim(db, claim_id).status == ClaimStatus.INVESTIGATING

    resolved_at = NOW + timedelta(days=2)
    v = CL.change_status(
        team.anna, claim_id, v, ClaimStatus.RESOLVED, resolution="Заменили партию", now=resolved_at
    )
    # reopened and resolved again: the resolution on the claim is enough
    v = CL.change_status(team.anna, claim_id, v, ClaimStatus.INVESTIGATING, now=resolved_at)
    v = CL.change_status(team.anna, claim_id, v, ClaimStatus.RESOLVED, now=resolved_at)
    closed_at = NOW + timedelta(days=3)
    v = CL.change_status(team.anna, claim_id, v, ClaimStatus.CLOSED, now=closed_at)

    claim = _claim(db, claim_id)
    assert (claim.status, claim.closed_at, claim.resolution, claim.version) == (
        ClaimStatus.CLOSED,
        closed_at,
        "Заменили партию",
        v,
    )
    me = team.id("anna")
    assert _changes(db, claim_id) == [
        (None, ClaimStatus.NEW, me, None),
        (ClaimStatus.NEW, ClaimStatus.INVESTIGATING, me, "Взял в работу"),
        (ClaimStatus.INVESTIGATING, ClaimStatus.NEW, me, "Не наш отдел"),
        (ClaimStatus.NEW, ClaimStatus.INVESTIGATING, me, None),
        (ClaimStatus.INVESTIGATING, ClaimStatus.RESOLVED, me, None),
        (ClaimStatus.RESOLVED, ClaimStatus.INVESTIGATING, me, None),
        (ClaimStatus.INVESTIGATING, ClaimStatus.RESOLVED, me, None),
        (ClaimStatus.RESOLVED, ClaimStatus.CLOSED, me, None),
    ]
    card = CL.get_claim(team.anna, claim_id)
    assert len(card.history) == 8 and card.history[-1].changed_by_name == "Anna"
    assert card.next_statuses == ()

    with pytest.raises(ValidationFailed) as caught:
        CL.change_status(team.anna, claim_id, v, ClaimStatus.INVESTIGATING, now=closed_at)
    assert "cannot change any more" in caught.value.errors["status"]
    with pytest.raises(ValidationFailed):
        CL.update_claim(team.anna, claim_id, v, subject="Поздно")


def test_update_claim_and_stale_versions(db, team, world):
    claim_id = CL.register_claim(team.anna, world["romashka"], "Брак", now=NOW)
    v = _claim(db, claim_id).version
    v2 = CL.update_claim(
        team.anna, claim_id, v, plan_text="Выехать на склад", plan_due=date(2026, 3, 6)
    )
    saved = _claim(db, claim_id)
    assert (saved.plan_text, saved.plan_due, saved.version) == (
        "Выехать на склад",
        date(2026, 3, 6),
        v2,
    )
    audits = audit_count(db)
    changes = len(_changes(db, claim_id))
    with pytest.raises(Conflict):
        CL.update_claim(team.head, claim_id, v, plan_text="Другое")
    with pytest.raises(Conflict):
        CL.change_status(team.head, claim_id, v, ClaimStatus.INVESTIGATING, now=NOW)
    after = _claim(db, claim_id)
    assert (after.plan_text, after.status, after.version) == (
        "Выехать на склад",
        ClaimStatus.NEW,
        v2,
    )
    assert audit_count(db) == audits and len(_changes(db, claim_id)) == changes
    with pytest.raises(ValidationFailed) as caught:
        CL.update_claim(team.anna, claim_id, v2, event_id=world["lutik_call"])
    assert set(caught.value.errors) == {"event"}


def test_a_manager_never_sees_another_managers_claims(db, team, world):
    anna_claim = CL.register_claim(team.anna, world["romashka"], "Брак", now=NOW)
    vera_claim = CL.register_claim(team.vera, world["roza"], "Хамство", now=NOW)
    v = _claim(db, anna_claim).version
    before = (count(db, ClaimChange), audit_count(db))

    for call in (
        lambda: CL.get_claim(team.vera, anna_claim),
        lambda: CL.update_claim(team.vera, anna_claim, v, subject="Взлом"),
        lambda: CL.change_status(team.vera, anna_claim, v, ClaimStatus.INVESTIGATING),
        lambda: CL.delete_claim(team.head, vera_claim),  # the head of sales, not support
    ):
        with pytest.raises(NotFound):
            call()
    assert [c.id for c in CL.list_claims(team.vera)] == [vera_claim]
    assert CL.list_claims(team.vera, company_id=world["romashka"]) == []
    assert [c.id for c in CL.list_claims(team.anna)] == [anna_claim]
    assert [c.id for c in CL.list_claims(team.head)] == [anna_claim]
    assert {c.id for c in CL.list_claims(team.system)} == {anna_claim, vera_claim}
    assert _claim(db, anna_claim).subject == "Брак"
    assert (count(db, ClaimChange), audit_count(db)) == before

    # the employee a claim is routed to sees it, even on a client of another manager
    routed = CL.register_claim(
        team.anna, world["lutik"], "Ошибка в счёте", employee_id=team.id("vera"), now=NOW
    )
    assert routed in [c.id for c in CL.list_claims(team.vera)]

    with pytest.raises(AccessDenied):
        CL.delete_claim(team.anna, anna_claim)
    CL.delete_claim(team.head, anna_claim)
    assert count(db, Claim) == 2
    with db.reader() as s:
        assert s.scalars(select(ClaimChange).where(ClaimChange.claim_id == anna_claim)).all() == []


def test_list_claims_filters(db, team, world):
    first = CL.register_claim(team.anna, world["romashka"], "Первая", now=NOW)
    second = CL.register_claim(
        team.anna,
        world["lutik"],
        "Вторая",
        department_id=world["support"],
        now=NOW + timedelta(hours=1),
    )
    assert [c.id for c in CL.list_claims(team.anna)] == [second, first]
    assert [c.id for c in CL.list_claims(team.anna, company_id=world["romashka"])] == [first]
    assert [c.id for c in CL.list_claims(team.anna, department_id=world["support"])] == [second]
    v = _claim(db, first).version
    CL.change_status(team.anna, first, v, ClaimStatus.INVESTIGATING, now=NOW)
    assert [c.id for c in CL.list_claims(team.anna, status="investigating")] == [first]
    assert CL.list_claims(team.anna, status=ClaimStatus.CLOSED) == []


def test_claims_report(db, team, world):
    support = world["support"]
    registered = local(2026, 3, 2, 10)

    def claim(subject: str, **kw) -> int:
        return CL.register_claim(team.anna, world["romashka"], subject, now=registered, **kw)

    a = claim("A", department_id=support, employee_id=team.id("vera"))
    b = claim("B", department_id=support, employee_id=team.id("vera"))
    c = claim("C", employee_id=team.id("boris"))
    claim("D")
    # outside the period: the day before (local) and the day after
    CL.register_claim(team.anna, world["romashka"], "E", now=local(2026, 3, 1, 23, 59))
    CL.register_claim(team.anna, world["romashka"], "F", now=local(2026, 3, 6, 0, 0))

    def move(claim_id: int, *steps: tuple[ClaimStatus, datetime]) -> None:
        for status, at in steps:
            v = _claim(db, claim_id).version
            CL.change_status(team.anna, claim_id, v, status, resolution="Готово", now=at)

    move(
        a,
        (ClaimStatus.INVESTIGATING, registered),
        (ClaimStatus.RESOLVED, registered + timedelta(days=1)),
    )
    move(
        b,
        (ClaimStatus.INVESTIGATING, registered),
        (ClaimStatus.RESOLVED, registered + timedelta(days=2)),
        (ClaimStatus.CLOSED, registered + timedelta(days=5)),
    )
    move(c, (ClaimStatus.INVESTIGATING, registered))

    report = CL.claims_report(team.anna, date(2026, 3, 2), date(2026, 3, 5))
    assert isinstance(report, ClaimsReport)
    assert report.total == 4
    assert report.by_status == {"new": 1, "investigating": 1, "resolved": 1, "closed": 1}
    assert {d.name: d.count for d in report.by_department} == {
        "no department": 2,
        "Поддержка": 2,
    }
    employees = {e.name: e.count for e in report.by_employee}
    assert employees == {"Vera": 2, "Boris": 1, "no employee": 1}
    assert report.resolved == 2
    assert report.avg_days_to_resolve == Decimal("1.5")

    # vera sees only the claims routed to her
    hers = CL.claims_report(team.vera, date(2026, 3, 2), date(2026, 3, 5))
    assert (hers.total, hers.resolved) == (2, 2)
    assert hers.by_status == {"new": 0, "investigating": 0, "resolved": 1, "closed": 1}
    assert CL.claims_report(team.vera, date(2026, 3, 6), date(2026, 3, 6)).total == 0
    with pytest.raises(ValidationFailed):
        CL.claims_report(team.anna, date(2026, 3, 5), date(2026, 3, 2))
