"""Contact analysis (K4): done interactions per manager and type in a period."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from calendar_support import Team, company, local, make_team, moscow_time

from qstui.domain.calendar import ContactStats
from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.services.access.users import revoke
from qstui.services.calendar import events as C
from qstui.services.calendar.contact_analysis import contact_analysis

NOW = datetime(2026, 3, 4, 9, 0)  # Wednesday 12:00 in Moscow (UTC+3), as stored


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


@pytest.fixture
def team(db) -> Team:
    return make_team(db)


@pytest.fixture
def activity(db, team):
    """February 2026: anna 3 calls, 1 meeting, 1 letter (+ a call on 31.01 23:59 and on
    01.03 00:00, outside); boris 1 call; vera 2 meetings. Plans: anna 2 overdue, 1
    future; boris 1 overdue; a cancelled one."""
    romashka = company(db, "Ромашка", team.id("anna"))
    vasilek = company(db, "Василек", team.id("boris"))
    roza = company(db, "Роза", team.id("vera"))

    def log(ctx, cid, code, when):
        return C.log_interaction(ctx, cid, code, code, when=when, now=NOW)

    for day in (1, 14, 28):
        log(team.anna, romashka, "call", local(2026, 2, day, 10))
    log(team.anna, romashka, "call", local(2026, 2, 28, 23, 59))
    log(team.anna, romashka, "meeting", local(2026, 2, 10, 15))
    log(team.anna, romashka, "letter", local(2026, 2, 11, 9))
    log(team.anna, romashka, "call", local(2026, 1, 31, 23, 59))
    log(team.anna, romashka, "call", local(2026, 3, 1, 0, 0))
    log(team.boris, vasilek, "call", local(2026, 2, 3, 11))
    log(team.vera, roza, "meeting", local(2026, 2, 5, 11))
    log(team.vera, roza, "meeting", local(2026, 2, 6, 11))
    C.plan_event(team.anna, romashka, "call", "late", local(2026, 3, 2, 10))
    C.plan_event(team.anna, romashka, "demo", "late", local(2026, 3, 3, 10))
    C.plan_event(team.anna, romashka, "call", "future", local(2026, 3, 10, 10))
    C.plan_event(team.boris, vasilek, "call", "late", local(2026, 3, 1, 10))
    cancelled = C.plan_event(team.boris, vasilek, "call", "late", local(2026, 3, 1, 11))
    C.cancel_event(team.boris, cancelled, 1)


def _by_login(stats: list[ContactStats]) -> dict[str, ContactStats]:
    return {s.login: s for s in stats}


def test_counts_by_type_per_manager_in_the_period(db, team, activity):
    stats = contact_analysis(team.system, date(2026, 2, 1), date(2026, 2, 28), now=NOW)
    rows = _by_login(stats)
    assert set(rows) == {"anna", "boris", "vera", "head"}
    anna = rows["anna"]
    assert anna.by_type["call"] == 4  # 01, 14, 28 at 10:00 and 28 at 23:59
    assert (anna.calls, anna.meetings, anna.count("letter"), anna.count("demo")) == (4, 1, 1, 0)
    assert anna.total == 6
    assert anna.overdue == 2
    assert (rows["boris"].calls, rows["boris"].total, rows["boris"].overdue) == (1, 1, 1)
    assert (rows["vera"].meetings, rows["vera"].total, rows["vera"].overdue) == (2, 2, 0)
    assert (rows["head"].total, rows["head"].overdue) == (0, 0)
    # every row lists the same types in the reference book's order
    assert list(anna.by_type)[:5] == ["call", "meeting", "letter", "demo", "other"]
    assert all(list(s.by_type) == list(anna.by_type) for s in stats)
    assert [s.full_name for s in stats] == sorted(s.full_name for s in stats)

    one_day = _by_login(contact_analysis(team.system, date(2026, 3, 1), date(2026, 3, 1), now=NOW))
    assert one_day["anna"].calls == 1 and one_day["anna"].total == 1


def test_visibility_of_the_figures(db, team, activity):
    mine = contact_analysis(team.anna, date(2026, 2, 1), date(2026, 2, 28), now=NOW)
    assert [s.login for s in mine] == ["anna"]
    assert mine[0].total == 6
    department = _by_login(
        contact_analysis(team.head, date(2026, 2, 1), date(2026, 2, 28), now=NOW)
    )
    assert set(department) == {"anna", "boris", "head"}
    only_boris = contact_analysis(
        team.head, date(2026, 2, 1), date(2026, 2, 28), user_ids=[team.id("boris")], now=NOW
    )
    assert [(s.login, s.total) for s in only_boris] == [("boris", 1)]
    with pytest.raises(AccessDenied):
        contact_analysis(
            team.anna, date(2026, 2, 1), date(2026, 2, 28), user_ids=[team.id("boris")]
        )
    with pytest.raises(AccessDenied):
        contact_analysis(team.head, date(2026, 2, 1), date(2026, 2, 28), user_ids=[team.id("vera")])
    with pytest.raises(NotFound):
        contact_analysis(team.system, date(2026, 2, 1), date(2026, 2, 28), user_ids=[999999])
    with pytest.raises(ValidationFailed):
        contact_analysis(team.system, date(2026, 2, 28), date(2026, 2, 1))
    revoke(team.system, "anna", "reports")
    from qstui.services.context import context_for

    with pytest.raises(AccessDenied):
        contact_analysis(context_for(db, "anna"), date(2026, 2, 1), date(2026, 2, 28))
