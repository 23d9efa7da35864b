"""Visibility as a property (issue 3, U2) on both backends.

Hypothesis builds a small random world per example — two departments, 3–6 users with a
random department, visibility right (``see.own`` / ``see.department`` / ``see.all``,
set with the users service), action rights and sometimes a missing module; companies
(some unassigned) with contact persons, deals, events and claims of random people — all
written through the services. For every user, every read service a screen or a CLI
command reaches must return exactly what the rules of ``services.visibility`` allow
(computed here in plain Python): nothing of a manager the user does not see, and all
of what the user sees (so ``see.department`` sees exactly the department). Then every
user tries writes they are not allowed; each must fail with the typed error and leave
every table (row counts, row versions) and the audit log unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from calendar_support import moscow_time
from client_support import INN_A, INN_B, INN_C, PASSWORD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.conftest import wipe

from qstui.db.engine import Database
from qstui.db.models import ClientGroup, Company, Event, GroupMember, metadata
from qstui.domain import calendar as cal
from qstui.domain.clients import ClientFilter, ClientSort, CompanyInput, ContactInput, SortKey
from qstui.domain.clock import utcnow
from qstui.domain.deals import DealFilter
from qstui.domain.enums import EventStatus, Role
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.domain.search import HitKind
from qstui.services import deals as D
from qstui.services import rights as R
from qstui.services import today as T
from qstui.services.access import users as users_module
from qstui.services.calendar import contact_analysis as CA
from qstui.services.calendar import events as CAL
from qstui.services.calendar import lists as calendar_lists
from qstui.services.clients import card as CC
from qstui.services.clients import claims as CL
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as CT
from qstui.services.clients import export as IO
from qstui.services.clients import groups as G
from qstui.services.clients import mass_activities as M
from qstui.services.clients import terms as TERMS
from qstui.services.context import Context, context_for
from qstui.services.deals import debt as DEBT
from qstui.services.deals import items as DI
from qstui.services.deals import payments as PAY
from qstui.services.deals import proposals as PR
from qstui.services.search.find import MAX_LIMIT, find_anything

# "Now" is the real hour (the deal and idle-client services read the clock themselves);
# the events are placed around it and the calendar services are given it.
NOW = utcnow().replace(minute=0, second=0, microsecond=0)
OLD_START = date(2025, 6, 2)  # deals started then have overdue stages
DEPARTMENTS = ("Продажи", "Опт")
MARK = "Квазар"  # a word of every company, contact and deal
COMPANY_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
DEAL_WORDS = ("india", "juliet", "kilo", "lima", "mike", "november")
MODULES = frozenset({R.CLIENTS, R.CALENDAR, R.DEALS, R.REPORTS})
ACTIONS = (R.EDIT, R.DELETE, R.REASSIGN, R.EXPORT)


# --- the world: what hypothesis draws ------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    department: int | None  # index into DEPARTMENTS
    role: Role
    visibility: str
    actions: frozenset[str]
    missing: str | None  # a module right taken away

    @property
    def rights(self) -> set[str]:
        return (set(MODULES) - {self.missing}) | {self.visibility} | set(self.actions)


@dataclass(frozen=True)
class CompanySpec:
    manager: int | None  # user index; None: unassigned
    city: str | None
    inn: str | None
    contacts: int


@dataclass(frozen=True)
class DealSpec:
    company: int
    manager: int | None  # None: the company's manager
    old: bool


@dataclass(frozen=True)
class EventSpec:
    company: int | None
    responsible: int
    status: EventStatus
    hours: int  # from now (a done one: hours before now)


@dataclass(frozen=True)
class ClaimSpec:
    company: int
    employee: int | None


@dataclass(frozen=True)
class WorldSpec:
    users: list[UserSpec]
    companies: list[CompanySpec]
    deals: list[DealSpec]
    events: list[EventSpec]
    claims: list[ClaimSpec]
    sort: ClientSort
    page: int


@st.composite
def worlds(draw: Any) -> WorldSpec:
    n_users = draw(st.integers(3, 6))
    users = [
        UserSpec(
            department=draw(st.sampled_from((0, 1, None))),
            role=draw(st.sampled_from((Role.MANAGER, Role.HEAD))),
            visibility=draw(st.sampled_from(R.VISIBILITY)),
            actions=frozenset(draw(st.sets(st.sampled_from(ACTIONS)))),
            missing=draw(st.sampled_from((None, None, None, R.CLIENTS, R.DEALS, R.CALENDAR))),
        )
        for _ in range(n_users)
    ]
    user = st.integers(0, n_users - 1)
    maybe_user = st.none() | user
    n_companies = draw(st.integers(1, len(COMPANY_WORDS)))
    companies = [
        CompanySpec(
            manager=draw(maybe_user),
            city=draw(st.sampled_from((None, "Москва", "Тула", "Омск"))),
            inn=draw(st.sampled_from((None, INN_A, INN_B, INN_C))),
            contacts=draw(st.integers(0, 2)),
        )
        for _ in range(n_companies)
    ]
    company = st.integers(0, n_companies - 1)
    deals = draw(
        st.lists(
            st.builds(DealSpec, company=company, manager=maybe_user, old=st.booleans()),
            max_size=len(DEAL_WORDS),
        )
    )
    events = draw(
        st.lists(
            st.builds(
                EventSpec,
                company=st.none() | company,
                responsible=user,
                status=st.sampled_from(list(EventStatus)),
                hours=st.integers(-72, 72),
            ),
            max_size=8,
        )
    )
    claims = draw(st.lists(st.builds(ClaimSpec, company=company, employee=maybe_user), max_size=4))
    sort = ClientSort(key=draw(st.sampled_from(list(SortKey))), descending=draw(st.booleans()))
    return WorldSpec(users, companies, deals, events, claims, sort, draw(st.integers(1, 3)))


# --- the world as built: ids and the facts the rules look at -------------------------------


@dataclass
class Person:
    id: int
    login: str
    department: int | None
    spec: UserSpec
    ctx: Context


@dataclass
class World:
    system: Context
    users: list[Person]
    companies: dict[int, int | None] = field(default_factory=dict)  # id -> manager
    company_word: dict[int, str] = field(default_factory=dict)
    contacts: dict[int, int] = field(default_factory=dict)  # id -> company
    deals: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # company, manager
    # id -> the spec with the company and responsible ids in place of the indexes
    events: dict[int, EventSpec] = field(default_factory=dict)
    event_at: dict[int, datetime] = field(default_factory=dict)
    claims: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # company, emp.
    group_id: int = 0

    def user_id(self, index: int | None) -> int | None:
        return None if index is None else self.users[index].id


def _fake_hash(password: str) -> str:
    return "$test$not-a-real-hash"


@contextmanager
def fast_hashing() -> Iterator[None]:
    """Nobody logs in here: skip the (deliberately slow) password hashing."""
    slow, users_module.hash_password = users_module.hash_password, _fake_hash
    try:
        yield
    finally:
        users_module.hash_password = slow


def build(db: Database, spec: WorldSpec) -> World:
    system = Context.system(db)
    people = []
    with fast_hashing():
        for i, u in enumerate(spec.users):
            login = f"u{i}"
            department = None if u.department is None else DEPARTMENTS[u.department]
            user_id = users_module.create_user(
                system, login, f"Сотрудник {i}", u.role, PASSWORD, department
            )
            users_module.set_rights(system, login, u.rights)
            people.append(Person(user_id, login, u.department, u, context_for(db, login)))
    world = World(system, people)
    for i, c in enumerate(spec.companies):
        word = COMPANY_WORDS[i]
        manager = world.user_id(c.manager)
        company_id = C.create_company(
            system,
            CompanyInput(name=f"{MARK} {word}", city=c.city, inn=c.inn, manager_id=manager),
            force=True,
        )
        world.companies[company_id] = manager
        world.company_word[company_id] = word
        for _ in range(c.contacts):
            contact_id = CT.add_contact(
                system, company_id, ContactInput(last_name=f"{MARK}ов", first_name=word.title())
            )
            world.contacts[contact_id] = company_id
    company_ids = list(world.companies)
    for k, d in enumerate(spec.deals):
        company_id = company_ids[d.company]
        given_manager = world.user_id(d.manager)
        deal_id = D.create_deal(
            system,
            company_id,
            f"{MARK} {DEAL_WORDS[k]}",
            manager_id=given_manager,
            started_on=OLD_START if d.old else None,
        )
        manager = given_manager if given_manager is not None else world.companies[company_id]
        world.deals[deal_id] = (company_id, manager)
    for k, e in enumerate(spec.events):
        company_id = None if e.company is None else company_ids[e.company]
        responsible = world.user_id(e.responsible)
        assert responsible is not None
        if e.status == EventStatus.DONE:
            at = NOW - timedelta(hours=abs(e.hours))
            event_id = CAL.log_interaction(
                system,
                company_id,
                "call",
                f"Звонок {k}",
                when=at,
                responsible_id=responsible,
                now=NOW,
            )
        else:
            at = NOW + timedelta(hours=e.hours)
            event_id = CAL.plan_event(
                system,
                company_id,
                "call",
                f"План {k}",
                at,
                remind_minutes=120,
                responsible_id=responsible,
            )
            if e.status == EventStatus.CANCELLED:
                CAL.cancel_event(system, event_id, 1)
        world.events[event_id] = EventSpec(company_id, responsible, e.status, e.hours)
        world.event_at[event_id] = at
    for k, c in enumerate(spec.claims):
        company_id = company_ids[c.company]
        employee = world.user_id(c.employee)
        claim_id = CL.register_claim(
            system, company_id, f"Претензия {k}", employee_id=employee, now=NOW
        )
        world.claims[claim_id] = (company_id, employee)
    with db.transaction() as s:  # a shared group of every company
        group = ClientGroup(name="Все", is_shared=True, owner_id=people[0].id)
        s.add(group)
        s.flush()
        s.add_all(GroupMember(group_id=group.id, company_id=c) for c in company_ids)
        world.group_id = group.id
    return world


# --- the rules, in plain Python (the docstring of services.visibility) ---------------------


class Sight:
    """What one user may see in ``world``."""

    def __init__(self, world: World, me: Person) -> None:
        self.world = world
        self.me = me
        self.rights = me.spec.rights
        self.all = R.SEE_ALL in self.rights
        everyone = {p.id for p in world.users}
        if self.all:
            self.users = everyone
        elif R.SEE_DEPARTMENT in self.rights and me.department is not None:
            self.users = {p.id for p in world.users if p.department == me.department} | {me.id}
        else:  # see.own, or see.department without a department
            self.users = {me.id}
        self.hidden_users = everyone - self.users

    @property
    def people(self) -> list[Person]:
        """Whose lists, calendars and pages to open: every hidden user (all refused or
        empty), me, and a couple of the others I see."""
        others = some({p.id for p in self.world.users if p is not self.me} & self.users)
        return [
            p
            for p in self.world.users
            if p is self.me or p.id in others or p.id in self.hidden_users
        ]

    def has(self, *rights: str) -> bool:
        return all(r in self.rights for r in rights)

    def refusal(self, *rights: str, otherwise: type[Exception] = NotFound) -> type[Exception]:
        """The error of a call that needs ``rights``: AccessDenied first, then ``otherwise``."""
        return otherwise if self.has(*rights) else AccessDenied

    def manager_seen(self, user_id: int | None) -> bool:
        return self.all or (user_id is not None and user_id in self.users)

    def company(self, company_id: int | None) -> bool:
        if company_id is None:
            return self.all
        return self.all or self.manager_seen(self.world.companies[company_id])

    def deal(self, deal_id: int) -> bool:
        company_id, manager = self.world.deals[deal_id]
        return self.manager_seen(manager) or self.company(company_id)

    def event(self, event_id: int) -> bool:
        e = self.world.events[event_id]
        return self.manager_seen(e.responsible) or self.company(e.company)

    def claim(self, claim_id: int) -> bool:
        company_id, employee = self.world.claims[claim_id]
        return self.manager_seen(employee) or self.company(company_id)

    @property
    def companies(self) -> set[int]:
        return {c for c in self.world.companies if self.company(c)}

    @property
    def contacts(self) -> set[int]:
        return {p for p, c in self.world.contacts.items() if self.company(c)}

    @property
    def deals(self) -> set[int]:
        return {d for d in self.world.deals if self.deal(d)}

    @property
    def events(self) -> set[int]:
        return {e for e in self.world.events if self.event(e)}

    @property
    def claims(self) -> set[int]:
        return {c for c in self.world.claims if self.claim(c)}


# --- helpers -------------------------------------------------------------------------------


def refused(exc: type[Exception], what: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
    """``fn(*args, **kw)`` fails with ``exc`` (and not with another error)."""
    with pytest.raises(exc):
        fn(*args, **kw)
        pytest.fail(f"{what}: not refused")


def ids(rows: Any) -> list[int]:
    return [row.id for row in rows]


def exactly(rows: Any, expected: set[int], what: str) -> None:
    got = ids(rows)
    assert len(got) == len(set(got)), f"{what}: duplicates {got}"
    assert set(got) == expected, f"{what}: got {sorted(got)}, expected {sorted(expected)}"


def _fingerprint_query() -> Any:
    parts = []
    for table in metadata.sorted_tables:
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        if "version" in table.c:
            parts.append(select(func.coalesce(func.sum(table.c.version), 0)).scalar_subquery())
    return select(*parts)


_FINGERPRINT = _fingerprint_query()  # built once: the statement cache then serves it


def fingerprint(db: Database) -> tuple[int, ...]:
    """Rows of every table and the sum of its row versions, in one query."""
    with db.reader() as s:
        return tuple(int(v) for v in s.execute(_FINGERPRINT).one())


def page_through(fetch: Callable[..., Any], backward: bool = False) -> list[Any]:
    """Every row of a keyset-paged list, in display order, following ``next_cursor``."""
    rows: list[Any] = []
    cursor = None
    for _ in range(100):
        page = fetch(cursor=cursor, backward=backward)
        rows = page.rows + rows if backward else rows + page.rows
        cursor = page.next_cursor
        if cursor is None:
            return rows
    raise AssertionError("the paging does not end")


def some(ids_: set[int], n: int = 2) -> set[int]:
    """The first ``n`` of ``ids_``: the costly per-object reads are checked on a few
    objects of each example (which ones varies with the example)."""
    return set(sorted(ids_)[:n])


def contacted(world: World) -> set[int | None]:
    """Companies with a done interaction (all of them recent: none of those is idle)."""
    return {e.company for e in world.events.values() if e.status == EventStatus.DONE}


# --- the reads -----------------------------------------------------------------------------


def check_clients(world: World, me: Person, see: Sight, spec: WorldSpec, out: Path) -> None:
    """Client list (keyset pages both ways, quick filter, group, manager filter), count,
    groups, idle clients, choosers, export; the card of every company (its contacts,
    deals, claims, history, plans, groups); for a few companies also contacts, terms,
    debt, history and plans on their own; claims (list, by company, by employee, each)."""
    ctx = me.ctx
    if not see.has(R.CLIENTS):
        any_company = next(iter(world.companies))
        for fn, args in (
            (C.list_clients, ()),
            (C.count_clients, ()),
            (C.idle_clients, ()),
            (CC.get_card, (any_company,)),
            (CL.list_claims, ()),
            (G.list_groups, ()),
        ):
            refused(AccessDenied, "a clients read without the clients right", fn, ctx, *args)
        return
    expected = see.companies

    def listing(flt: ClientFilter | None = None) -> Callable[..., Any]:
        return partial(C.list_clients, ctx, flt, spec.sort, limit=spec.page)

    forward = page_through(listing())
    exactly(forward, expected, "client list")
    assert ids(page_through(listing(), backward=True)) == ids(forward), "client list backwards"
    assert C.count_clients(ctx) == len(expected)
    quick = ClientFilter(text=MARK.lower())
    exactly(C.list_clients(ctx, quick, limit=100).rows, expected, "client list, quick filter")
    assert C.count_clients(ctx, quick) == len(expected)
    in_group = ClientFilter(group_id=world.group_id)
    exactly(C.list_clients(ctx, in_group, limit=100).rows, expected, "client list of a group")
    [group] = G.list_groups(ctx)
    assert group.members == len(expected), "members of a shared group"
    for person in see.people:
        of_person = {c for c in expected if world.companies[c] == person.id}
        flt = ClientFilter(manager_id=person.id)
        exactly(C.list_clients(ctx, flt, limit=100).rows, of_person, "client list by manager")
        if see.manager_seen(person.id):
            idle = of_person - contacted(world)
            exactly(C.idle_clients(ctx, manager_id=person.id), idle, "idle clients")
        else:
            refused(NotFound, "idle clients of a hidden manager", C.idle_clients, ctx, person.id)
    assert {i for i, _name in C.reference_lists(ctx)["managers"]} == see.users
    assert {i for i, _name in CC.card_choices(ctx)["managers"]} == see.users
    if see.has(R.EXPORT):
        assert sorted(row["id"] for row in IO.export_rows(ctx)) == sorted(expected), "export"
        assert IO.export_clients(ctx, out) == len(expected), "export to a file"
    else:
        refused(AccessDenied, "export without the right", lambda: list(IO.export_rows(ctx)))
        refused(AccessDenied, "export without the right", IO.export_clients, ctx, out)

    checked = some(expected) | some(set(world.companies) - expected)
    for company_id, manager in world.companies.items():
        if company_id not in expected:
            refused(NotFound, "the card of a hidden company", CC.get_card, ctx, company_id)
            if company_id not in checked:
                continue
            for fn in (
                CT.list_contacts,
                TERMS.list_terms,
                DEBT.client_debt,
                calendar_lists.company_history,
                calendar_lists.company_plans,
            ):
                refused(NotFound, f"{fn.__name__} of a hidden company", fn, ctx, company_id)
            # a claim of a hidden company may still be seen through its employee
            of_company = {k for k in see.claims if world.claims[k][0] == company_id}
            exactly(CL.list_claims(ctx, company_id=company_id), of_company, "claims")
            continue
        card = CC.get_card(ctx, company_id)
        assert (card.id, card.manager_id) == (company_id, manager)
        people = {p for p, c in world.contacts.items() if c == company_id}
        exactly(card.contacts, people, "card: contacts")
        its_deals = {d for d, (c, _m) in world.deals.items() if c == company_id}
        exactly(card.deals, its_deals, "card: deals")
        its_claims = {k for k, (c, _e) in world.claims.items() if c == company_id}
        exactly(card.claims, its_claims, "card: claims")
        its_events = [e for e, spec_ in world.events.items() if spec_.company == company_id]
        plans = {e for e in its_events if world.events[e].status == EventStatus.PLANNED}
        history = set(its_events) - plans
        exactly(card.history, history, "card: history")
        exactly(card.plans, plans, "card: plans")
        assert [g.members for g in card.groups] == [len(expected)], "card: groups"
        if company_id not in checked:
            continue
        exactly(CT.list_contacts(ctx, company_id), people, "contacts")
        assert TERMS.list_terms(ctx, company_id) == []
        assert set(DEBT.client_debt(ctx, company_id).deals) == its_deals, "client debt"
        exactly(CL.list_claims(ctx, company_id=company_id), its_claims, "claims of a company")
        exactly(calendar_lists.company_history(ctx, company_id, now=NOW).rows, history, "history")
        exactly(calendar_lists.company_plans(ctx, company_id, now=NOW), plans, "plans")

    exactly(CL.list_claims(ctx), see.claims, "claim list")
    for claim_id in world.claims:
        if claim_id in see.claims:
            assert CL.get_claim(ctx, claim_id, now=NOW).row.id == claim_id
        else:
            refused(NotFound, "a hidden claim", CL.get_claim, ctx, claim_id, now=NOW)
    for person in see.people:
        of_person = {k for k in see.claims if world.claims[k][1] == person.id}
        exactly(CL.list_claims(ctx, employee_id=person.id), of_person, "claims by employee")


def check_deals(world: World, me: Person, see: Sight, late: dict[int, set[int | None]]) -> None:
    """Deal list (keyset pages both ways; by title, manager, company), count, overdue
    stages, manager chooser, the card of every deal; for a few deals its payments,
    items, debt, stages, contact choices and commercial proposal."""
    ctx = me.ctx
    if not see.has(R.DEALS):
        for fn in (D.list_deals, D.count_deals, D.overdue_stages, D.manager_choices):
            refused(AccessDenied, "a deals read without the deals right", fn, ctx)
        return
    expected = see.deals
    listing = partial(D.list_deals, ctx, None, limit=3)
    rows = page_through(listing)
    exactly(rows, expected, "deal list")
    assert ids(page_through(listing, backward=True)) == ids(rows), "deal list backwards"
    assert D.count_deals(ctx) == len(expected)
    by_title = DealFilter(text=MARK.lower())
    exactly(D.list_deals(ctx, by_title, limit=100).rows, expected, "deal list by title")
    for person in see.people:
        flt = DealFilter(manager_id=person.id)
        of_person = {d for d in expected if world.deals[d][1] == person.id}
        exactly(D.list_deals(ctx, flt, limit=100).rows, of_person, "deals by manager")
    assert {s.deal_id for s in D.overdue_stages(ctx)} == set(late) & expected, "overdue stages"
    assert {m.id for m in D.manager_choices(ctx)} == see.users
    some_company = min(world.companies)
    flt = DealFilter(company_id=some_company)
    of_company = {d for d in expected if world.deals[d][0] == some_company}
    exactly(D.list_deals(ctx, flt, limit=100).rows, of_company, "deals of a company")
    checked = some(expected) | some(set(world.deals) - expected)
    for deal_id, (_company, manager) in world.deals.items():
        if deal_id in expected:
            card = D.get_deal(ctx, deal_id)
            assert (card.id, card.manager_id) == (deal_id, manager)
            if deal_id not in checked:
                continue
            assert PAY.list_payments(ctx, deal_id) == []
            assert DI.list_items(ctx, deal_id) == []
            assert DEBT.deal_debt(ctx, deal_id) is not None
            assert D.stage_ids_of(ctx, deal_id)
            assert PR.build_proposal(ctx, deal_id).deal.id == deal_id
            continue
        refused(NotFound, "a hidden deal", D.get_deal, ctx, deal_id)
        if deal_id not in checked:
            continue
        for fn in (
            PAY.list_payments,
            DI.list_items,
            DEBT.deal_debt,
            D.stage_ids_of,
            D.contact_choices,
            PR.build_proposal,
        ):
            refused(NotFound, f"{fn.__name__} of a hidden deal", fn, ctx, deal_id)


def check_calendar(world: World, me: Person, see: Sight, late: dict[int, set[int | None]]) -> None:
    """A few events one by one; day, week, month and overdue views of me, of a few
    people I see and of everyone I do not; the manager chooser; due reminders; the
    start pages of the same people."""
    ctx = me.ctx
    day = cal.local_day(NOW)
    first, last = cal.week_first(day), cal.week_first(day) + timedelta(days=6)
    day_start, day_end = cal.day_range(day, day)
    at = world.event_at

    def local(event_id: int) -> date:
        return cal.local_day(at[event_id])

    def status(event_id: int) -> EventStatus:
        return world.events[event_id].status

    for event_id in some(see.events, 3) | some(set(world.events) - see.events, 3):
        if event_id in see.events:
            assert calendar_lists.get_event(ctx, event_id, now=NOW).id == event_id
        else:
            refused(NotFound, "a hidden event", calendar_lists.get_event, ctx, event_id, now=NOW)

    if not see.has(R.CALENDAR):
        refused(AccessDenied, "a day without the right", calendar_lists.day, ctx, day, now=NOW)
        refused(AccessDenied, "overdue without the right", calendar_lists.overdue, ctx, now=NOW)
        refused(AccessDenied, "managers without the right", calendar_lists.visible_managers, ctx)
    else:
        assert {m.id for m in calendar_lists.visible_managers(ctx)} == see.users
        mine = {e for e in world.events if world.events[e].responsible == me.id}
        live = {e for e in mine if status(e) != EventStatus.CANCELLED}
        exactly(
            calendar_lists.day(ctx, day, now=NOW).events,
            {e for e in live if local(e) == day},
            "day",
        )
        due = {
            e
            for e in mine
            if status(e) == EventStatus.PLANNED and NOW < at[e] <= NOW + timedelta(minutes=120)
        }
        exactly(calendar_lists.reminders_due(ctx, now=NOW), due, "reminders")
        for person in see.people:
            whose = {e for e in world.events if world.events[e].responsible == person.id}
            live = {e for e in whose if status(e) != EventStatus.CANCELLED}
            this_month = (day.year, day.month)
            views = (
                (
                    partial(calendar_lists.day, ctx, day, person.id, now=NOW),
                    {e for e in live if local(e) == day},
                ),
                (
                    partial(calendar_lists.week, ctx, day, person.id, now=NOW),
                    {e for e in live if first <= local(e) <= last},
                ),
                (
                    partial(
                        calendar_lists.week, ctx, day, person.id, now=NOW, include_cancelled=True
                    ),
                    {e for e in whose if first <= local(e) <= last},
                ),
                (
                    partial(
                        calendar_lists.month, ctx, day.year, day.month, person.id, now=NOW,
                        per_day=None,
                    ),
                    {e for e in live if (local(e).year, local(e).month) == this_month},
                ),
            )  # fmt: skip
            month = partial(calendar_lists.month, ctx, day.year, day.month, person.id, now=NOW)
            overdue = {e for e in whose if status(e) == EventStatus.PLANNED and at[e] < NOW}
            if see.manager_seen(person.id):
                for view, expected in views:
                    exactly(view().events, expected, f"calendar of {person.login}")
                in_month = [local(e) for e in live if (local(e).year, local(e).month) == this_month]
                assert {a.day: a.total for a in month().days if a.total} == {
                    on: in_month.count(on) for on in in_month
                }, f"month counts of {person.login}"
                exactly(calendar_lists.overdue(ctx, person.id, now=NOW), overdue, "overdue plans")
            else:
                for view in (*(v for v, _expected in views), month):
                    refused(AccessDenied, f"the calendar of the hidden {person.login}", view)
                refused(
                    AccessDenied,
                    "hidden overdue plans",
                    calendar_lists.overdue,
                    ctx,
                    person.id,
                    now=NOW,
                )

    for person in see.people:
        if not see.manager_seen(person.id):
            refused(AccessDenied, "a hidden start page", T.today_page, ctx, person.id, now=NOW)
            refused(AccessDenied, "hidden deals' money", T.open_deal_totals, ctx, person.id)
            continue
        page = T.today_page(ctx, None if person is me else person.id, now=NOW)
        assert page.user_id == person.id
        planned = {
            e
            for e, spec_ in world.events.items()
            if spec_.responsible == person.id and spec_.status == EventStatus.PLANNED
        }
        if see.has(R.CALENDAR):
            exactly(page.plans, {e for e in planned if day_start <= at[e] < day_end}, "plans")
            earlier = {e for e in planned if at[e] < day_start}
            exactly(page.overdue, earlier, "start page: overdue plans")
            assert page.overdue_count == len(earlier)
        else:
            assert (page.plans, page.overdue, page.overdue_count) == ((), (), 0)
        if see.has(R.DEALS):
            stages = {d for d, who in late.items() if person.id in who and see.deal(d)}
            assert {s.deal_id for s in page.overdue_stages} == stages, "start page: stages"
            open_deals = [d for d, (_c, m) in world.deals.items() if m == person.id]
            totals = T.open_deal_totals(ctx, None if person is me else person.id)
            assert sum(t.count for t in totals) == len(open_deals), "open deals"
        else:
            assert page.overdue_stages == ()
            assert T.open_deal_totals(ctx, None if person is me else person.id) == ()
        if see.has(R.CLIENTS):
            idle = {c for c, m in world.companies.items() if m == person.id} - contacted(world)
            assert {i.company_id for i in page.idle_clients} == idle, "start page: idle"
            assert page.idle_count == len(idle)
        else:
            assert (page.idle_clients, page.idle_count) == ((), 0)


def check_reports(world: World, me: Person, see: Sight) -> None:
    """The claims report and the contact analysis: only visible claims and managers."""
    ctx = me.ctx
    day = cal.local_day(NOW)
    report = CL.claims_report(ctx, day - timedelta(days=1), day + timedelta(days=1))
    assert report.total == len(see.claims), "claims report"
    stats = CA.contact_analysis(ctx, day - timedelta(days=4), day + timedelta(days=4), now=NOW)
    assert {s.user_id for s in stats} == see.users, "contact analysis: whose figures"
    for s in stats:
        events = [e for e, spec_ in world.events.items() if spec_.responsible == s.user_id]
        assert s.total == sum(1 for e in events if world.events[e].status == EventStatus.DONE)
        assert s.overdue == sum(
            1
            for e in events
            if world.events[e].status == EventStatus.PLANNED and world.event_at[e] < NOW
        )
    for person in world.users:
        if not see.manager_seen(person.id):
            refused(
                AccessDenied,
                "figures of a hidden manager",
                CA.contact_analysis,
                ctx,
                day,
                day,
                [person.id],
                now=NOW,
            )


def check_search(world: World, me: Person, see: Sight) -> None:
    """ "Find anything": a word of everything, and a word of each company."""
    ctx = me.ctx
    clients, deals = see.has(R.CLIENTS), see.has(R.DEALS)

    def found(text: str) -> dict[HitKind, set[int]]:
        out: dict[HitKind, set[int]] = {kind: set() for kind in HitKind}
        hits = find_anything(ctx, text, limit=MAX_LIMIT)
        assert len(hits) == len({(h.kind, h.id) for h in hits}), f"duplicate hits for {text}"
        for hit in hits:
            out[hit.kind].add(hit.id)
        return out

    everything = found(MARK)
    assert everything[HitKind.COMPANY] == (see.companies if clients else set())
    assert everything[HitKind.CONTACT] == (see.contacts if clients else set())
    assert everything[HitKind.DEAL] == (see.deals if deals else set())
    checked = some(see.companies) | some(set(world.companies) - see.companies)
    for company_id, word in world.company_word.items():
        if company_id not in checked:
            continue
        hits = found(f"{MARK} {word}")
        shown = clients and see.company(company_id)
        people = {p for p, c in world.contacts.items() if c == company_id}
        assert hits[HitKind.COMPANY] == ({company_id} if shown else set()), word
        assert hits[HitKind.CONTACT] == (people if shown else set()), word
        assert hits[HitKind.DEAL] == set(), word


# --- the refused writes --------------------------------------------------------------------


def check_refused_writes(db: Database, world: World, me: Person, see: Sight) -> None:
    """Writes on what the user does not see, or without the right: the typed error, and
    not a row (nor a row version, nor an audit entry) changed."""
    ctx = me.ctx
    before = fingerprint(db)

    def attempt(exc: type[Exception], what: str, fn: Callable[..., Any], *args: Any, **kw: Any):
        refused(exc, what, fn, ctx, *args, **kw)
        assert fingerprint(db) == before, f"{what}: refused, but something was written"

    def version(company_id: int) -> int:
        with db.reader() as s:
            return int(s.scalar(select(Company.version).where(Company.id == company_id)) or 0)

    hidden_users = sorted(see.hidden_users)
    hidden_companies = sorted(set(world.companies) - see.companies)[:2]
    shown_companies = sorted(see.companies)[:1]

    if not see.has(R.CLIENTS, R.EDIT):
        attempt(AccessDenied, "create a company", C.create_company, CompanyInput(name="Новая"))
    for other in hidden_users[:1]:
        attempt(
            see.refusal(R.CLIENTS, R.EDIT, R.REASSIGN, otherwise=ValidationFailed),
            "create a company for a hidden manager",
            C.create_company,
            CompanyInput(name="Чужая", manager_id=other),
        )
        attempt(
            see.refusal(R.EDIT, otherwise=ValidationFailed),
            "plan for a hidden manager",
            CAL.plan_event,
            None,
            "call",
            "Чужой",
            NOW,
            responsible_id=other,
        )
    for company_id in hidden_companies:
        v = version(company_id)
        need = see.refusal
        attempt(need(R.CLIENTS, R.EDIT), "edit", C.update_company, company_id, v, notes="взлом")
        attempt(need(R.CLIENTS, R.DELETE), "delete", C.delete_company, company_id, v)
        attempt(need(R.CLIENTS, R.EDIT, R.REASSIGN), "take", C.reassign, [company_id], me.id)
        attempt(
            need(R.CLIENTS, R.EDIT),
            "add a contact",
            CT.add_contact,
            company_id,
            ContactInput(last_name="Шпионов"),
        )
        attempt(need(R.DEALS, R.EDIT), "open a deal", D.create_deal, company_id, "Чужая")
        attempt(need(R.EDIT), "plan", CAL.plan_event, company_id, "call", "Чужой", NOW)
        attempt(need(R.EDIT), "claim", CL.register_claim, company_id, "Чужая", now=NOW)
        attempt(need(R.CLIENTS, R.EDIT), "group", G.add_members, world.group_id, [company_id])
    for company_id in shown_companies:
        v = version(company_id)
        if not see.has(R.CLIENTS, R.EDIT):
            attempt(AccessDenied, "edit without the right", C.update_company, company_id, v)
        if not see.has(R.CLIENTS, R.DELETE):
            attempt(AccessDenied, "delete without the right", C.delete_company, company_id, v)
        if not see.has(R.CLIENTS, R.EDIT, R.REASSIGN):
            attempt(AccessDenied, "reassign without the right", C.reassign, [company_id], me.id)
        elif hidden_users:
            attempt(NotFound, "give to a hidden manager", C.reassign, [company_id], hidden_users[0])
            attempt(
                ValidationFailed,
                "give to a hidden manager by an edit",
                C.update_company,
                company_id,
                v,
                manager_id=hidden_users[0],
            )
        if not see.has(R.DEALS, R.EDIT):
            attempt(AccessDenied, "a deal without the right", D.create_deal, company_id, "Нет")
    for deal_id in sorted(set(world.deals) - see.deals)[:2]:
        attempt(see.refusal(R.DEALS, R.EDIT), "edit", D.update_deal, deal_id, 1, title="взлом")
        attempt(see.refusal(R.DEALS, R.DELETE), "delete a deal", D.delete_deal, deal_id, 1)
    for event_id in sorted(set(world.events) - see.events)[:2]:
        attempt(
            see.refusal(R.EDIT),
            "edit an event",
            CAL.update_event,
            event_id,
            1,
            subject="взлом",
            now=NOW,
        )
        attempt(see.refusal(R.DELETE), "delete an event", CAL.delete_event, event_id)
        if world.events[event_id].status == EventStatus.PLANNED:
            attempt(see.refusal(R.EDIT), "cancel a plan", CAL.cancel_event, event_id, 1)
    for claim_id in sorted(set(world.claims) - see.claims)[:2]:
        attempt(see.refusal(R.EDIT), "edit a claim", CL.update_claim, claim_id, 1, subject="x")
        attempt(
            see.refusal(R.EDIT),
            "move a claim",
            CL.change_status,
            claim_id,
            1,
            "investigating",
            now=NOW,
        )
        attempt(see.refusal(R.DELETE), "delete a claim", CL.delete_claim, claim_id)


# --- the allowed writes that reach many companies at once ---------------------------------


def check_group_writes(db: Database, me: Person, see: Sight) -> None:
    """A personal group filled from the (unfiltered) client list gets exactly the
    companies the user sees."""
    ctx = me.ctx
    if not see.has(R.CLIENTS):
        return
    group_id = G.create_group(ctx, f"Мои {me.login}")
    assert G.add_filter_to_group(ctx, group_id, ClientFilter()) == len(see.companies)
    with db.reader() as s:
        members = set(
            s.scalars(select(GroupMember.company_id).where(GroupMember.group_id == group_id))
        )
    assert members == see.companies, "a group filled from the client list"
    in_group = ClientFilter(group_id=group_id)
    exactly(C.list_clients(ctx, in_group, limit=100).rows, see.companies, "my group")


def check_mass_activity(db: Database, world: World, me: Person, see: Sight) -> None:
    """A mass activity on the shared group of every company plans an interaction with
    exactly the companies the user sees (the last write of an example: it adds events)."""
    ctx = me.ctx
    planned_on = cal.local_day(NOW) + timedelta(days=1)
    activity_id = M.plan_mass_activity(ctx, world.group_id, "Обзвон", planned_on)
    with db.reader() as s:
        planned = list(s.scalars(select(Event.company_id).where(Event.activity_id == activity_id)))
    assert sorted(planned) == sorted(see.companies), "a mass activity"
    assert M.activity_effect(ctx, activity_id).companies == len(see.companies)


# --- the property --------------------------------------------------------------------------


def test_nobody_sees_or_touches_what_the_rules_hide(
    db: Database, backend: str, tmp_path: Path
) -> None:
    @settings(
        max_examples=25 if backend == "sqlite" else 8,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(spec=worlds())
    def check(spec: WorldSpec) -> None:
        wipe(db)
        world = build(db, spec)
        late: dict[int, set[int | None]] = {}  # deal -> responsible people of late stages
        for stage in D.overdue_stages(world.system):
            late.setdefault(stage.deal_id, set()).add(stage.responsible_id)
        assert set(late) == {d for d, s in zip(world.deals, spec.deals, strict=True) if s.old}
        for me in world.users:
            see = Sight(world, me)
            check_clients(world, me, see, spec, tmp_path / "clients.csv")
            check_deals(world, me, see, late)
            check_calendar(world, me, see, late)
            check_reports(world, me, see)
            check_search(world, me, see)
            check_refused_writes(db, world, me, see)
            check_group_writes(db, me, see)
        writers = [p for p in world.users if R.CLIENTS in p.spec.rights and R.EDIT in p.spec.rights]
        if writers:
            check_mass_activity(db, world, writers[0], Sight(world, writers[0]))

    with moscow_time():
        check()
