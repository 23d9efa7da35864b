"""Client groups, bulk adds from a filter and mass activities (C5), on both backends."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from calendar_support import moscow_time
from client_support import audit_count, company, make_team, row_counts
from sqlalchemy import func, select

from qstui.db.models import AuditEntry, CurrencyRate, Deal, Event, GroupMember, Pipeline
from qstui.domain import clock
from qstui.domain.clients import ClientFilter
from qstui.domain.enums import DealStatus, EventStatus
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.clients import groups as G
from qstui.services.clients import mass_activities as M
from qstui.services.clients.importing import import_clients
from qstui.services.context import context_for


def members(db, group_id) -> set[int]:
    with db.reader() as s:
        return set(
            s.scalars(select(GroupMember.company_id).where(GroupMember.group_id == group_id))
        )


def test_shared_groups_are_seen_by_all_personal_only_by_the_owner(db):
    team = make_team(db)
    shared = G.create_group(team.ivanov, "Выставка 2026", shared=True, description="Стенд B12")
    personal = G.create_group(team.ivanov, "Мои")
    other = G.create_group(team.petrova, "Её личная")
    assert [(g.name, g.is_shared) for g in G.list_groups(team.ivanov)] == [
        ("Выставка 2026", True),
        ("Мои", False),
    ]
    assert [g.name for g in G.list_groups(team.sidorov)] == ["Выставка 2026"]
    assert G.get_group(team.petrova, shared).description == "Стенд B12"
    with pytest.raises(NotFound):
        G.get_group(team.ivanov, other)
    with pytest.raises(NotFound):
        G.add_members(team.ivanov, other, [])
    mine = company(team.ivanov, "Моя")
    with pytest.raises(NotFound):
        G.delete_group(team.petrova, personal, 1)
    assert G.add_members(team.ivanov, personal, [mine]) == 1
    assert G.add_members(team.ivanov, personal, [mine]) == 0  # already a member
    assert G.get_group(team.ivanov, personal).members == 1
    # the shared group counts only the members the user sees
    theirs = company(team.sidorov, "Чужая")
    G.add_members(team.sidorov, shared, [theirs])
    G.add_members(team.ivanov, shared, [mine])
    assert G.get_group(team.ivanov, shared).members == 1
    assert G.get_group(team.system, shared).members == 2
    with pytest.raises(NotFound):
        G.add_members(team.ivanov, shared, [theirs])
    assert G.remove_members(team.ivanov, shared, [mine, theirs]) == 1  # only the visible one
    assert members(db, shared) == {theirs}


def test_group_rights_and_versions(db):
    team = make_team(db)
    shared = G.create_group(team.head, "Общая", shared=True)
    revoke(team.system, "ivanov", R.EDIT)
    viewer = context_for(db, "ivanov")
    mine = company(team.ivanov, "Моя")
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(AccessDenied):
        G.create_group(viewer, "Ещё общая", shared=True)
    with pytest.raises(AccessDenied):
        G.add_members(viewer, shared, [mine])
    with pytest.raises(AccessDenied):
        G.add_filter_to_group(viewer, shared, ClientFilter())
    with pytest.raises(AccessDenied):
        M.plan_mass_activity(viewer, shared, "Обзвон", clock.today())
    with pytest.raises(AccessDenied):
        G.delete_group(team.ivanov, shared, 1)  # managers have no delete right
    assert row_counts(db) == before and audit_count(db) == audits
    personal = G.create_group(viewer, "Личная без права edit")
    assert G.add_members(viewer, personal, [mine]) == 1
    info = G.get_group(viewer, personal)
    v2 = G.update_group(viewer, personal, info.version, name="Переименована")
    with pytest.raises(Conflict):
        G.update_group(viewer, personal, info.version, name="Снова")
    with pytest.raises(AccessDenied):
        G.update_group(viewer, personal, v2, is_shared=True)
    with pytest.raises(ValidationFailed):
        G.create_group(team.ivanov, " ")
    with pytest.raises(ValidationFailed):
        G.create_group(team.system, "Без владельца")
    G.delete_group(viewer, personal, v2)
    assert [g.name for g in G.list_groups(viewer)] == ["Общая"]


def test_add_filter_to_group_adds_every_visible_match_once(db):
    team = make_team(db)
    lines = ["Наименование;Город;Менеджер"]
    lines += [f"Фирма {i};{'Москва' if i % 2 else 'Тула'};ivanov" for i in range(1600)]
    lines += [f"Чужая {i};Москва;sidorov" for i in range(5)]
    report = import_clients(team.system, "\n".join(lines).encode(), apply=True)
    assert report.created == 1605
    group = G.create_group(team.head, "Москвичи", shared=True)
    assert G.add_filter_to_group(team.head, group, ClientFilter(city="москва")) == 800
    assert G.add_filter_to_group(team.head, group, ClientFilter(city="москва")) == 0
    assert G.add_filter_to_group(team.head, group, ClientFilter()) == 800  # the Tula ones
    assert len(members(db, group)) == 1600  # sidorov's companies are not visible to head
    personal = G.create_group(team.ivanov, "Все мои")
    with db.reader() as s:
        ids = list(s.scalars(select(GroupMember.company_id).where(GroupMember.group_id == group)))
    assert G.add_members(team.ivanov, personal, ids) == 1600  # more than 1500: chunked
    assert G.remove_members(team.ivanov, personal, ids[:1550]) == 1550
    assert len(members(db, personal)) == 50
    with db.reader() as s:
        notes = s.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.object_kind == "group", AuditEntry.object_id == group
            )
        ).all()
    assert {"members": [0, 800]} in notes


def test_mass_activity_plans_an_event_per_member_and_measures_its_effect(db):
    team = make_team(db)
    a = company(team.ivanov, "А")
    b = company(team.petrova, "Б")
    c = company(team.sidorov, "В")
    group = G.create_group(team.head, "Акция", shared=True)
    G.add_members(team.head, group, [a, b])
    G.add_members(team.sidorov, group, [c])
    day = clock.today() - timedelta(days=10)
    with moscow_time():
        activity = M.plan_mass_activity(
            team.head, group, "Обзвон по акции", day, notes="скидка 10%"
        )
    with db.reader() as s:
        events = s.execute(
            select(
                Event.company_id, Event.responsible_id, Event.status, Event.subject, Event.event_at
            ).where(Event.activity_id == activity)
        ).all()
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.object_kind == "event")
            )
            == 2
        )
    assert sorted((e.company_id, e.responsible_id) for e in events) == [
        (a, team.ivanov.user_id),
        (b, team.petrova.user_id),
    ]  # sidorov's company is not visible to the head: no event for it
    assert {(e.status, e.subject) for e in events} == {(EventStatus.PLANNED, "Обзвон по акции")}
    # 10:00 in Moscow is 07:00 UTC (the database keeps UTC)
    assert {e.event_at for e in events} == {datetime.combine(day, time(7, 0))}
    with db.transaction() as s:
        pipeline = s.scalar(select(Pipeline.id).order_by(Pipeline.id))
        s.add(CurrencyRate(currency_code="USD", rate_date=clock.today(), rate=Decimal("90")))

        def deal(company_id, manager, status, amount, started, currency="RUB"):
            s.add(
                Deal(
                    title="Сделка",
                    title_fold="сделка",
                    company_id=company_id,
                    manager_id=manager,
                    pipeline_id=pipeline,
                    started_on=started,
                    status=status,
                    amount=Decimal(amount),
                    currency_code=currency,
                )
            )

        deal(a, team.ivanov.user_id, DealStatus.WON, "1000", day + timedelta(days=1))
        deal(a, team.ivanov.user_id, DealStatus.WON, "10", day, currency="USD")
        deal(b, team.petrova.user_id, DealStatus.OPEN, "500", day + timedelta(days=2))
        deal(b, team.petrova.user_id, DealStatus.WON, "7000", day - timedelta(days=1))  # before
        deal(c, team.sidorov.user_id, DealStatus.WON, "9999", day + timedelta(days=1))  # unseen
        s.execute(
            Event.__table__.update()
            .where(Event.activity_id == activity, Event.company_id == a)
            .values(status=EventStatus.DONE)
        )
    effect = M.activity_effect(team.head, activity)
    assert (effect.companies, effect.events_planned, effect.events_done) == (2, 1, 1)
    assert (effect.deals, effect.deals_won) == (3, 2)
    assert effect.won_amount == Decimal("1900.00")
    assert effect.open_amount == Decimal("500.00")
    mine = M.activity_effect(team.ivanov, activity)
    assert (mine.companies, mine.deals, mine.won_amount) == (1, 2, Decimal("1900.00"))
    personal = G.create_group(team.petrova, "Личная")
    hidden = M.plan_mass_activity(team.petrova, personal, "Тихо", day)
    with pytest.raises(NotFound):
        M.activity_effect(team.ivanov, hidden)
    with pytest.raises(ValidationFailed):
        M.plan_mass_activity(team.head, group, "", day)


def test_a_mass_activity_for_a_filter_with_one_manager_and_its_rights(db):
    """From the client list's filter: a personal group of the matching visible clients,
    one plan each, for one chosen manager, the progress heard, in one transaction; a
    manager may not hand plans to a colleague; the effect counts the clients reached."""
    team = make_team(db)
    a = company(team.ivanov, "Альфа", city="Тверь")
    b = company(team.petrova, "Бета", city="Тверь")
    company(team.petrova, "Гамма", city="Омск")
    hidden = company(team.sidorov, "Дельта", city="Тверь")  # not the head's
    day = clock.today()
    heard: list[tuple[int, int]] = []
    activity = M.plan_for_filter(
        team.head,
        ClientFilter(city="Тверь"),
        "Приглашение на выставку",
        day,
        event_type_id="meeting",
        at=time(15, 30),
        responsible_id=team.petrova.user_id,
        progress=lambda done, total: heard.append((done, total)),
    )
    assert heard == [(2, 2)]
    with db.reader() as s:
        events = s.execute(
            select(Event.company_id, Event.responsible_id).where(Event.activity_id == activity)
        ).all()
    assert sorted(events) == sorted([(a, team.petrova.user_id), (b, team.petrova.user_id)])
    effects = M.group_activities(team.head, M.activity_effect(team.head, activity).group_id)
    assert [(e.title, e.companies, e.reached, e.events_planned) for e in effects] == [
        ("Приглашение на выставку", 2, 0, 2)
    ]
    group = G.get_group(team.head, effects[0].group_id)
    assert not group.is_shared and group.members == 2 and "Приглашение" in group.name
    assert hidden not in members(db, group.id)

    # a manager who sees only their own clients: refused for a colleague, nothing written
    mine = G.create_group(team.ivanov, "Мои")
    G.add_members(team.ivanov, mine, [a])
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(ValidationFailed) as refused:
        M.plan_mass_activity(team.ivanov, mine, "Обзвон", day, responsible_id=team.petrova.user_id)
    assert set(refused.value.errors) == {"responsible"}
    with pytest.raises(ValidationFailed):
        M.plan_for_filter(team.ivanov, ClientFilter(), "Обзвон", day, event_type_id="telepathy")
    assert (row_counts(db), audit_count(db)) == (before, audits)
    own = M.plan_mass_activity(team.ivanov, mine, "Обзвон", day, responsible_id=None)
    with db.transaction() as s:
        s.execute(
            Event.__table__.update().where(Event.activity_id == own).values(status=EventStatus.DONE)
        )
    effect = M.activity_effect(team.ivanov, own)
    assert (effect.companies, effect.reached, effect.events_done) == (1, 1, 1)
    revoke(team.system, "ivanov", R.EDIT)
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(AccessDenied):
        M.plan_for_filter(context_for(db, "ivanov"), ClientFilter(), "Обзвон", day)
    assert (row_counts(db), audit_count(db)) == (before, audits)
