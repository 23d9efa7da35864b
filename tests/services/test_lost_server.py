"""A Firebird server that stops answering is noticed (issue 10, "A dead network hangs"):
with its traffic silently dropped by a black-hole proxy (``tests.black_hole``), a service
call ends with "the database server does not answer" within ``server_timeout`` — whether
the connection was idle in the pool, in the middle of a transaction or not yet made —
and works again once the network is back; an idle connection the network forgot is
replaced; a call that is only slow (waiting for a lock another connection holds, on a
server that answers) is not cut. Firebird only: SQLite
has no network."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from tests.black_hole import BlackHole
from tests.services.client_support import company as client
from tests.services.client_support import make_team

from qstui import i18n
from qstui.db.engine import Database
from qstui.db.errors import is_conflict
from qstui.db.models import Company, Event
from qstui.domain.errors import ServerNotAnswering
from qstui.services.calendar.events import log_interaction
from qstui.services.context import Context

pytestmark = pytest.mark.parametrize("backend", ["firebird"], indirect=True)

TIMEOUT = 3  # seconds: server_timeout of the databases reached through the proxy
SLACK = 1.5  # seconds a loaded machine may add to noticing


def subjects(db: Database, company_id: int) -> list[str]:
    with db.reader() as s:
        rows = s.scalars(select(Event.subject).where(Event.company_id == company_id))
        return sorted(rows)


@pytest.fixture
def company(db: Database) -> int:
    """A client of the manager ivanov, who is responsible for what is logged with it."""
    return client(make_team(db).ivanov, "Ромашка")


@pytest.fixture
def proxy(db: Database) -> BlackHole:
    with BlackHole(db.url) as hole:
        yield hole


@pytest.fixture
def remote(proxy: BlackHole) -> Database:
    """The test database, reached through the proxy."""
    far = Database(proxy.url, server_timeout=TIMEOUT)
    yield far
    proxy.forward()
    far.dispose()


def bounded_call(proxy: BlackHole, fn, *args, **kwargs) -> tuple[BaseException | None, float]:
    """Run a call over the proxy; its error (None: it succeeded) and how long it took.
    Run in a thread, so that a call that would wait forever fails the test instead."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fn(*args, **kwargs)
            outcome.append(None)
        except BaseException as error:  # handed to the test
            outcome.append(error)

    started = time.monotonic()
    call = threading.Thread(target=run, daemon=True)
    call.start()
    call.join(TIMEOUT + SLACK + 10)
    waited = time.monotonic() - started
    if call.is_alive():
        proxy.forward()  # let it end
        proxy.close()
        call.join()
        pytest.fail(f"the call was still waiting after {waited:.1f} s")
    return outcome[0], waited


def lost_call(proxy: BlackHole, fn, *args, **kwargs) -> tuple[ServerNotAnswering, float]:
    """A call that meets the dark network: its error and how long it waited."""
    error, waited = bounded_call(proxy, fn, *args, **kwargs)
    assert isinstance(error, ServerNotAnswering), repr(error)
    return error, waited


def test_an_idle_connection_to_a_dark_server_is_given_up_in_time(db, company, proxy, remote):
    ctx = Context.system(remote)
    log_interaction(ctx, company, "call", "before")  # the pool keeps this connection
    proxy.go_dark()
    i18n.set_language("ru")
    error, waited = lost_call(proxy, log_interaction, ctx, company, "call", "while dark")
    assert waited <= TIMEOUT + SLACK
    assert str(error) == (
        f"Сервер базы данных не отвечает (нет ответа {TIMEOUT} с): "
        "проверьте сеть и сервер и повторите попытку."
    )
    i18n.set_language("en")
    proxy.forward()
    log_interaction(ctx, company, "call", "after")
    assert subjects(db, company) == ["after", "before"]


def test_a_transaction_in_flight_is_given_up_and_nothing_of_it_is_kept(db, company, proxy, remote):
    asked: list[float] = []

    def change_then_read() -> None:
        with remote.transaction() as s:
            s.execute(update(Company).where(Company.id == company).values(city="Кострома"))
            proxy.go_dark()
            asked.append(time.monotonic())
            s.execute(select(func.count()).select_from(Event))

    error, _ = lost_call(proxy, change_then_read)
    assert time.monotonic() - asked[0] <= TIMEOUT + SLACK
    assert str(error).startswith("The database server does not answer (no reply for 3 s)")
    proxy.forward()
    with remote.reader() as s:
        assert s.scalar(select(Company.city).where(Company.id == company)) is None
    with db.reader() as s:
        assert s.scalar(select(Company.city).where(Company.id == company)) is None


def test_a_new_connection_to_a_dark_server_is_given_up_in_time(db, company, proxy, remote):
    proxy.go_dark()
    _, waited = lost_call(proxy, log_interaction, Context.system(remote), company, "call", "d")
    assert waited <= TIMEOUT + SLACK
    proxy.forward()
    log_interaction(Context.system(remote), company, "call", "light")
    assert subjects(db, company) == ["light"]


def test_an_idle_connection_the_network_forgot_is_replaced(db, company, proxy, remote):
    """A firewall dropped the pooled connection while it was idle; the server still
    answers new ones. The pool's ping on it gets no answer; the watch finds the server
    alive, aborts the ping, and the call goes on over a new connection."""
    ctx = Context.system(remote)
    log_interaction(ctx, company, "call", "before")
    proxy.forget()
    error, took = bounded_call(proxy, log_interaction, ctx, company, "call", "after")
    assert error is None, repr(error)
    assert took <= TIMEOUT + SLACK
    assert subjects(db, company) == ["after", "before"]


def test_a_slow_call_on_a_server_that_answers_is_not_cut(db, company, proxy):
    """A statement waiting longer than the server timeout for a row another connection
    holds is slow, not lost: the server answers the watch's probes, and the statement
    ends as its lock wait does (an update conflict), not with "does not answer"."""
    far = Database(proxy.url, server_timeout=TIMEOUT, lock_timeout=TIMEOUT + 2)
    try:
        with db.engine.connect() as holder:
            holder.execute(update(Company).where(Company.id == company).values(city="Углич"))
            started = time.monotonic()
            with pytest.raises(DBAPIError) as caught, far.transaction() as s:
                s.execute(update(Company).where(Company.id == company).values(city="Кострома"))
            assert time.monotonic() - started > TIMEOUT
            assert is_conflict(caught.value), caught.value
            holder.rollback()
        with far.reader() as s:  # the connection was not aborted: the next call uses it
            assert s.scalar(select(Company.city).where(Company.id == company)) is None
    finally:
        far.dispose()
