"""Users saving at the same moment (issue 10, "what probing found"), on both backends.

Each thread stands for another user's program: its own ``Database`` (engine and
connections), all released at once by a barrier. Registering the same client twice at
once must leave one company and tell the others it exists; two imports of one file
must create each company once; interactions logged at once on one client must all be
saved, however they race for the client's last-contact column (and counted in the
reports' hourly counts).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from client_support import INN_A, company, inn10, make_team
from fact_support import fact_differences
from sqlalchemy import func, select, update

from qstui.db import event_hours
from qstui.db.engine import Database
from qstui.db.locks import lock_for_writing
from qstui.db.models import Company, Event, EventHour, WriteLock
from qstui.domain.clients import CompanyInput, DuplicateReason, DuplicatesFound, ImportAction
from qstui.domain.errors import Busy
from qstui.services.calendar.events import log_interaction, touch_last_contact
from qstui.services.clients import companies as C
from qstui.services.clients.importing import import_clients
from qstui.services.context import Context

NOW = datetime(2026, 3, 4, 9, 0)  # naive UTC, as stored


@pytest.fixture
def own_db(db) -> Iterator[Callable[..., Context]]:
    """``own(ctx)``: the user of ``ctx`` in a program of their own (a new engine)."""
    made: list[Database] = []

    def own(ctx: Context, **options: Any) -> Context:
        made.append(Database(db.url, **options))
        return replace(ctx, db=made[-1])

    yield own
    for each in made:
        each.dispose()


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released at the same moment: each one's result, or
    the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = calls[i]()
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def company_ids(db: Database, *where: Any) -> list[int]:
    with db.reader() as s:
        return list(s.scalars(select(Company.id).where(*where).order_by(Company.id)))


# --- registering one client twice ------------------------------------------------------------


@pytest.mark.parametrize("threads", [2, 4, 6])
def test_simultaneous_registrations_of_one_inn_leave_one_company(db, own_db, threads):
    team = make_team(db)
    users = [team.ivanov, team.petrova, team.head, team.sidorov]
    calls = [
        partial(
            C.create_company,
            own_db(users[i % len(users)]),
            CompanyInput(name=f"Филиал номер {i}", inn=INN_A, phone=f"8 495 100-00-{i:02d}"),
        )
        for i in range(threads)
    ]
    outcomes = together(calls)
    created = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, DuplicatesFound)]
    assert len(created) == 1 and len(refused) == threads - 1, outcomes
    winner = created[0]
    assert company_ids(db, Company.inn == INN_A) == [winner]
    for error in refused:  # the duplicate check's own answer, naming the company
        assert [(hit.reason, hit.company_id) for hit in error.hits] == [
            (DuplicateReason.INN, winner)
        ]
        assert f"#{winner}" in str(error)


def test_a_registration_waits_for_the_lock_only_so_long(db, own_db):
    """Another transaction holds the registration lock past the lock timeout: the
    registration gives up with one clear message and writes nothing."""
    team = make_team(db)
    patient = own_db(team.ivanov, lock_timeout=1)
    with db.transaction() as s:
        lock_for_writing(s.connection(), Company.__table__)
        with pytest.raises(Busy) as caught:
            C.create_company(patient, CompanyInput(name="Терпеливая", inn=INN_A))
    assert "try again" in str(caught.value).lower()
    assert company_ids(db) == []
    C.create_company(patient, CompanyInput(name="Терпеливая", inn=INN_A))  # free again
    assert len(company_ids(db)) == 1


def test_two_simultaneous_imports_of_one_file_create_each_company_once(db, own_db):
    team = make_team(db)
    lines = [
        f"Клиент номер {i};{inn10(i) if i % 3 else ''};8 495 {1000000 + i}" for i in range(300)
    ]
    data = ("Наименование;ИНН;Телефон\n" + "\n".join(lines) + "\n").encode()
    calls = [partial(import_clients, own_db(team.ivanov), data, apply=True) for _ in range(2)]
    reports = together(calls)
    counts = sorted(
        (Counter(line.action for line in report.lines) for report in reports),
        key=lambda c: c[ImportAction.CREATE],
    )
    assert counts == [Counter({ImportAction.UNCHANGED: 300}), Counter({ImportAction.CREATE: 300})]
    with db.reader() as s:
        total, names, inns = s.execute(
            select(
                func.count(Company.id),
                func.count(func.distinct(Company.name_key)),
                func.count(func.distinct(Company.inn)),
            )
        ).one()
    assert (total, names, inns) == (300, 300, 200)


# --- interactions racing for the client's last contact ---------------------------------------


def test_interactions_logged_at_once_on_one_client_are_all_saved(db, own_db):
    team = make_team(db)
    client = company(team.ivanov, "Общий клиент")
    with db.reader() as s:
        version = s.scalar(select(Company.version).where(Company.id == client))
    users = [team.ivanov, team.head, team.system]
    moments = [NOW - timedelta(minutes=7 * ((i * 5) % 16)) for i in range(16)]  # shuffled
    calls = [
        partial(
            log_interaction,
            own_db(users[i % len(users)]),
            client,
            "call",
            f"Звонок {i}",
            when=moments[i],
            now=NOW,
        )
        for i in range(16)
    ]
    outcomes = together(calls)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    with db.reader() as s:
        saved = s.scalar(select(func.count(Event.id)).where(Event.company_id == client))
        row = s.execute(
            select(Company.last_contact_at, Company.version).where(Company.id == client)
        ).one()
    assert saved == 16
    assert (row.last_contact_at, row.version) == (max(moments), version)
    # the reports' copies and hourly counts (no row two of them would both update)
    assert fact_differences(db) == []


def test_a_card_saved_while_an_interaction_updates_the_last_contact_is_saved(db, own_db):
    """The derived update holds the company's row uncommitted when the card is saved:
    the save waits for it instead of reporting a change nobody made."""
    team = make_team(db)
    client = company(team.ivanov, "Клиент с картой")
    with db.reader() as s:
        version = s.scalar(select(Company.version).where(Company.id == client))
    holder = own_db(team.head)
    saver = own_db(team.ivanov)
    outcome: list[Any] = []
    with holder.db.transaction() as s:
        touch_last_contact(s, client, NOW)
        thread = threading.Thread(
            target=lambda: outcome.append(
                _outcome(C.update_company, saver, client, version, name="Клиент переименован")
            )
        )
        thread.start()
        thread.join(1.0)  # the save is waiting for the holder
        assert thread.is_alive() or outcome, "the save neither waited nor ended"
    thread.join(30)
    assert outcome == [version + 1]
    with db.reader() as s:
        row = s.execute(
            select(Company.name, Company.last_contact_at, Company.version).where(
                Company.id == client
            )
        ).one()
    assert tuple(row) == ("Клиент переименован", NOW, version + 1)


def _outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except Exception as exc:
        return exc


def test_a_fold_that_meets_another_gives_up_and_the_counts_stay_right(db, backend):
    """Firebird: while one session folds the hourly counts (it holds their lock row),
    another one's fold gives up at its lock timeout instead of failing the report, and
    the unfolded rows count the same."""
    if backend != "firebird":
        pytest.skip("SQLite keeps one row per hour from the start: nothing to fold")
    team = make_team(db)
    client = company(team.ivanov, "Клиент с папкой")
    for minutes in (5, 10, 15):
        log_interaction(
            team.ivanov, client, "call", "Звонок", when=NOW - timedelta(minutes=minutes), now=NOW
        )
    impatient = Database(db.url, lock_timeout=1)
    try:
        with db.engine.connect() as holder:
            holder.execute(
                update(WriteLock).where(WriteLock.name == "event_hours").values(name="event_hours")
            )
            event_hours.merge(impatient)  # meets the held lock: gives up, no error
            holder.rollback()
        with db.reader() as s:
            assert s.scalar(select(func.count()).where(EventHour.fresh.is_(True))) == 3
        assert fact_differences(db) == []
        event_hours.merge(impatient)  # nobody holds it now
        with db.reader() as s:
            assert s.scalar(select(func.count()).where(EventHour.fresh.is_(True))) == 0
            assert s.scalar(select(func.sum(EventHour.done))) == 3
    finally:
        impatient.dispose()
