"""Test fixtures: the same tests on SQLite and on a Firebird 3 server.

``QSTUI_TEST_FIREBIRD`` is the URL of a scratch database on a Firebird server, e.g.
``firebird://SYSDBA:secret@127.0.0.1:3050//var/lib/qstui-test/test.fdb``; the tests
create, wipe and drop that file and siblings of it (``test_<name>.fdb``) in the same
directory. Without it, Firebird tests are skipped with one reason line; with
``QSTUI_REQUIRE_FIREBIRD=1`` a missing or unreachable server fails the run instead.

The clock (``qstui.domain.clock``): the UI and demo tests, and the deals tests that
keep a ``TODAY``, run with it frozen at ``FROZEN_NOW`` in Moscow time (``frozen_clock``);
any test may stop it at a day of its own (``clock_at``). ``QSTUI_TEST_NOW=2027-11-24``
(or ``2027-11-24T16:30``, local time) freezes it there for the whole run instead —
every test, from collection on — to show that no test depends on the day it runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import URL

from qstui import i18n
from qstui.db.create import create_database, drop_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import upgrade
from qstui.db.models import metadata
from qstui.db.urls import UrlError, is_firebird, mask_url, normalize_url
from qstui.domain import clock
from qstui.services.access import passwords

FIREBIRD_ENV = "QSTUI_TEST_FIREBIRD"
REQUIRE_ENV = "QSTUI_REQUIRE_FIREBIRD"
NOW_ENV = "QSTUI_TEST_NOW"
FROZEN_AT = time(10, 0)  # the local time of a day the clock is frozen on
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0)  # a Wednesday, local time
FROZEN_ZONE = "+03:00"  # Moscow, where the demo plans its days
BACKENDS = ("sqlite", "firebird")
# Tables that keep the reference books loaded by ``db init`` (and the lock rows) between tests.
REFBOOK_TABLES = {
    "regions",
    "industries",
    "sources",
    "refusal_reasons",
    "units",
    "currencies",
    "event_types",
    "event_results",
    "pipelines",
    "stages",
    "price_lists",
    "role_rights",
    "alembic_version",
    "write_locks",  # lock rows the migrations create (db.locks)
}

_firebird_problem: str | None = None


def _firebird_base() -> URL | None:
    raw = os.environ.get(FIREBIRD_ENV, "").strip()
    return normalize_url(raw) if raw else None


def _env_now() -> datetime | None:
    raw = os.environ.get(NOW_ENV, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise pytest.UsageError(f"{NOW_ENV} is not a date or a local time: {raw!r}") from exc
    return moment if "T" in raw or " " in raw else datetime.combine(moment.date(), FROZEN_AT)


# The moment frozen tests run at: QSTUI_TEST_NOW, or a fixed Wednesday morning.
FROZEN_NOW = _env_now() or DEFAULT_NOW


def pytest_configure(config: pytest.Config) -> None:
    global _firebird_problem
    os.environ.setdefault("QSTUI_LANG", "en")
    if _env_now() is not None:
        clock.freeze(FROZEN_NOW)  # the whole run, module-level constants included
    passwords.use_light_parameters()
    try:
        base = _firebird_base()
    except UrlError as exc:
        raise pytest.UsageError(f"{FIREBIRD_ENV} is not a valid URL: {exc}") from exc
    if base is None:
        _firebird_problem = f"Firebird tests skipped: {FIREBIRD_ENV} is not set"
    else:
        try:
            from firebird.driver import connect_server

            with connect_server(
                server_name(base), user=base.username, password=base.password
            ) as srv:
                srv.info.version  # noqa: B018  (a real round trip)
        except Exception as exc:  # unreachable server, wrong password
            where = mask_url(base)
            _firebird_problem = f"Firebird tests skipped: server {where} unreachable: {exc}"
    if _firebird_problem and os.environ.get(REQUIRE_ENV) == "1":
        raise pytest.UsageError(f"{REQUIRE_ENV}=1 but {_firebird_problem.split(': ', 1)[1]}")


def server_name(url: URL) -> str:
    """The firebird-driver server config of ``url``'s host and port (registered once)."""
    from firebird.driver import driver_config

    name = f"qstui-test-{url.host}-{url.port}"
    if driver_config.get_server(name) is None:
        srv = driver_config.register_server(name)
        srv.host.value = url.host
        srv.port.value = str(url.port)
    return name


def create_test_database(url: URL) -> None:
    """``create_database``, and a Firebird one without forced writes: the server then
    leaves flushing its pages to the operating system instead of waiting for the disk
    at every commit. What a test sees (transactions, locks, constraints, errors) is the
    same; only what a power cut would keep differs, which no test looks at. Each commit
    waited for the disk: a seeded report world took 2.3 s instead of 1.4 s."""
    create_database(url)
    if not is_firebird(url):
        return
    from firebird.driver import DbWriteMode, connect_server

    with connect_server(server_name(url), user=url.username, password=url.password) as srv:
        srv.database.set_write_mode(database=url.database, mode=DbWriteMode.ASYNC)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _firebird_problem:
        backends = f"qstui backends: sqlite only ({_firebird_problem})"
    else:
        backends = f"qstui backends: sqlite + firebird ({mask_url(_firebird_base())})"  # type: ignore[arg-type]
    if _env_now() is not None:
        return [backends, f"qstui clock: frozen at {FROZEN_NOW:%Y-%m-%d %H:%M} for every test"]
    return [backends, f"qstui clock: UI and demo tests at {FROZEN_NOW:%Y-%m-%d %H:%M}"]


def at_local(moment: date | datetime) -> datetime:
    """A day → that day at ``FROZEN_AT``; a local time as it is."""
    return moment if isinstance(moment, datetime) else datetime.combine(moment, FROZEN_AT)


@pytest.fixture(scope="module")
def frozen_clock() -> Iterator[datetime]:
    """The clock stopped at ``FROZEN_NOW``, Moscow time, for a whole module (its
    module-scoped fixtures, such as a demo database made "today", included): neither
    the computer's date nor its time zone matter."""
    zone = clock.zone()
    clock.set_zone(FROZEN_ZONE)
    try:
        with clock.freeze(FROZEN_NOW):
            yield FROZEN_NOW
    finally:
        clock.set_zone(zone)


@pytest.fixture
def clock_at() -> Iterator[Callable[[date | datetime], datetime]]:
    """``clock_at(day_or_local_time)`` stops the clock there for the rest of the test
    (a day: at ``FROZEN_AT``); the clock is as before after the test."""
    before = clock.frozen()

    def stop(moment: date | datetime) -> datetime:
        local = at_local(moment)
        clock.freeze(local)
        return local

    yield stop
    if before is None:
        clock.unfreeze()
    else:
        clock.freeze(before)


@contextmanager
def _env_folder(name: str, folder: Path) -> Iterator[Path]:
    """``$name`` points at ``folder`` while the block runs, then is as it was."""
    before = os.environ.get(name)
    os.environ[name] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@pytest.fixture(autouse=True, scope="session")
def _log_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The CLI's log file goes to a folder of the test run, never to the user's."""
    with _env_folder("QSTUI_LOG_DIR", tmp_path_factory.mktemp("log")) as folder:
        yield folder


@pytest.fixture(autouse=True, scope="session")
def _state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The CLI's token files (``qstui login``) go to a folder of the test run, never to
    the user's; ``tests/cli`` gives every test a folder of its own."""
    with _env_folder("QSTUI_STATE_DIR", tmp_path_factory.mktemp("state")) as folder:
        yield folder


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that leaves new files readable by everybody (0644), as on most systems:
    a file qstui makes private is private because qstui made it so."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def file_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Tests read messages in English unless they switch the language themselves."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def sibling_url(backend: str, name: str, tmp_dir: Path) -> URL:
    """A URL for a scratch database called ``name`` on ``backend`` (not created)."""
    if backend == "sqlite":
        return normalize_url(f"sqlite:///{tmp_dir / (name + '.sqlite3')}")
    base = _firebird_base()
    assert base is not None
    path = Path(base.database or "")
    return base.set(database=str(path.with_name(f"{path.stem}_{name}{path.suffix or '.fdb'}")))


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``one_backend`` (what they check does not depend on the database)
    run on SQLite only. Without a server, every Firebird case is skipped up front (one
    summary line)."""
    twins = [
        item for item in items if _on_firebird(item) and item.get_closest_marker("one_backend")
    ]
    if twins:
        config.hook.pytest_deselected(items=twins)
        items[:] = [item for item in items if item not in twins]
    if not _firebird_problem:
        return
    skip = pytest.mark.skip(reason=_firebird_problem)
    for item in items:
        if _on_firebird(item):
            item.add_marker(skip)


def _on_firebird(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("backend") == "firebird"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _firebird_problem:
        skipped = [r for r in terminalreporter.stats.get("skipped", []) if "[firebird" in r.nodeid]
        terminalreporter.write_line(f"{_firebird_problem} ({len(skipped)} tests)", yellow=True)


@contextmanager
def _fresh_database(url: URL) -> Iterator[Database]:
    """A new migrated database with the default reference books, dropped afterwards."""
    drop_database(url)
    create_test_database(url)
    db = Database(url)
    upgrade(db)
    load_defaults(db)
    yield db
    db.dispose()
    drop_database(url)


@pytest.fixture(scope="session")
def _session_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = sibling_url(backend, f"main{os.getpid()}", tmp_path_factory.mktemp("db"))
    with _fresh_database(url) as db:
        yield db


@pytest.fixture(scope="module")
def own_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated database with the default reference books for one module alone: its
    tests may change the books, which ``db`` keeps between tests."""
    url = sibling_url(backend, f"own{os.getpid()}", tmp_path_factory.mktemp("own"))
    with _fresh_database(url) as db:
        yield db


@pytest.fixture
def db(_session_database: Database) -> Database:
    """The migrated test database with reference books and no other rows."""
    wipe(_session_database)
    return _session_database


def wipe(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in REFBOOK_TABLES:
                conn.execute(delete(table))


@pytest.fixture
def scratch_url(backend: str, tmp_path: Path) -> Iterator[Callable[[str], URL]]:
    """A factory of URLs of fresh, not yet existing databases; all dropped afterwards."""
    made: list[URL] = []

    def make(name: str = "") -> URL:
        url = sibling_url(backend, f"{name or 'x'}_{uuid.uuid4().hex[:8]}", tmp_path)
        drop_database(url)
        made.append(url)
        return url

    yield make
    for url in made:
        try:
            drop_database(url)
        except Exception:  # a test that left a connection open; the server keeps the file
            pass
