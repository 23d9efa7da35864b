"""``generate``: fills an initialized database with realistic, reproducible demo data.

The same ``seed`` and ``today`` give the same rows. Clients are made in chunks of
``CHUNK`` companies: each chunk's companies, contacts, deals and events are generated in
memory (so a company's ``last_contact_at`` matches its events), written with
``db.bulk.insert_rows`` in foreign-key order and committed. Ids are assigned here and
the identities restarted at the end.

On Firebird the server does most of the work: a chunk is written by worker threads on
four connections (see ``_lanes``) while the next chunk is generated. Seconds per family
then overlap; "commit" is the time the generator waited for the writers.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection

from qstui.db.create import database_exists
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision
from qstui.db.statistics import refresh_statistics
from qstui.demo import catalog, setup
from qstui.demo.clients import make_companies
from qstui.demo.deals import make_deals
from qstui.demo.events import make_events
from qstui.demo.extras import make_extras
from qstui.demo.pools import pools
from qstui.demo.refs import load_refs
from qstui.demo.rows import Batch, Ids, local, share, spread
from qstui.demo.search import make_search_words
from qstui.demo.staff import LOGINS, ensure_staff
from qstui.demo.world import World
from qstui.demo.writer import Lane, Writer
from qstui.domain import clock
from qstui.domain.errors import ServiceError
from qstui.i18n import _

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Size:
    companies: int
    contacts: int
    deals: int
    events: int


SIZES = {
    "small": Size(300, 900, 600, 6_000),
    "large": Size(100_000, 300_000, 200_000, 1_000_000),
}
CHUNK = 1000  # companies per chunk (and per transaction)
SQLITE_CACHE_KIB = 256 * 1024
PARENT_TABLES = frozenset({"companies", "contacts", "contracts", "deals"})
STAGES = ("setup", "companies", "deals", "events", "search")
# Tables of a chunk in foreign-key order, with the family they are counted in.
CHUNK_TABLES = (
    ("companies", "companies"),
    ("contacts", "companies"),
    ("phones", "companies"),
    ("emails", "companies"),
    ("bank_accounts", "companies"),
    ("client_terms", "companies"),
    ("custom_values", "companies"),
    ("group_members", "companies"),
    ("claims", "companies"),
    ("claim_changes", "companies"),
    ("contracts", "deals"),
    ("deals", "deals"),
    ("deal_stages", "deals"),
    ("deal_items", "deals"),
    ("deal_documents", "deals"),
    ("payments", "deals"),
    ("events", "events"),
    ("search_words", "search"),
)


@dataclass
class DemoResult:
    size: str
    seed: int
    today: date
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    family_rows: dict[str, int] = field(default_factory=dict)
    family_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def check_schema(db: Database) -> None:
    """A clear error unless the database exists and its schema is at the head revision."""
    if not database_exists(db.url) or current_revision(db) != head_revision():
        raise ServiceError(
            _("The database is not initialized or not up to date: run “qstui db init” first")
        )


def generate(
    db: Database,
    size: str = "small",
    seed: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Add demo data of ``size`` ("small"/"large") to ``db``; ``today`` anchors all dates
    (default: the current date). ``progress(stage, done, total)`` is called as it goes."""
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r} (use one of: {', '.join(SIZES)})")
    spec = SIZES[size]
    today = today or clock.today()
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    check_schema(db)
    with db.engine.connect() as conn:
        load_refs(conn)  # fails early, before any user is created
    staff = ensure_staff(db, local(today - timedelta(days=3 * 365), 9))
    with ExitStack() as stack:
        conn = stack.enter_context(db.engine.connect())
        stack.enter_context(_big_cache(conn))
        writer = Writer(conn)
        world = World(
            today=today,
            now=local(today, 9),
            pools=pools(),
            refs=load_refs(conn),
            ids=Ids(conn),
            staff=staff,
        )
        world.pending = {u: ["overdue", "today", "overdue", "today"] for u in staff.sellers}
        with writer.timing("setup"):
            _setup(random.Random(f"qstui-demo:{seed}:setup"), world, writer, report)
        writer.commit()
        # Firebird: the server works while we generate, on several connections at once.
        extra = [db.engine.connect() for _ in range(3)] if conn.dialect.name != "sqlite" else []
        try:
            if extra:
                writer.start_background(_lanes(conn, *extra))
            _chunks(seed, world, writer, spec, report)
            writer.stop_background()  # waits for the writes; their failure surfaces here
            _report(report, spec, asdict(spec))
        finally:
            writer.stop_background(raise_errors=False)
            for other in extra:
                other.close()
        with writer.timing("setup"):
            setup.record_demo(writer, world, size, seed, LOGINS)
            writer.commit()
            writer.restart_identities(world.ids.last())
    with writer.timing("statistics"):  # the planner must know the rows (FIREBIRD.md)
        refresh_statistics(db)
    return DemoResult(
        size=size,
        seed=seed,
        today=today,
        counts=dict(writer.counts),
        family_rows=dict(writer.family_rows),
        family_seconds=dict(writer.family_seconds),
        seconds=time.perf_counter() - started,
    )


def _lanes(
    parents: Connection, events: Connection, rest: Connection, words: Connection
) -> list[Lane]:
    """How a chunk is written in parallel: the rows others refer to first, then — each
    on its own connection — the events, the other dependent rows (after the parents
    are committed: no foreign-key waits) and the word index (independent)."""
    return [
        Lane("parents", parents, PARENT_TABLES),
        Lane("events", events, frozenset({"events"}), after="parents"),
        Lane("rest", rest, None, after="parents"),
        Lane("words", words, frozenset({"search_words"})),
    ]


@contextmanager
def _big_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a page cache big enough for the indexes of a large load (the default 2 MB
    makes inserts into the word index slower and slower as the file grows)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old)}")


def _setup(rng: random.Random, world: World, writer: Writer, report: Progress) -> None:
    steps = 6
    report("setup", 0, steps)
    world.fields = setup.make_fields(world, writer)
    report("setup", 1, steps)
    world.rates = catalog.make_rates(rng, world, writer)
    report("setup", 2, steps)
    world.products = catalog.make_products(world, writer)
    report("setup", 3, steps)
    world.groups = setup.make_groups(world, writer)
    report("setup", 4, steps)
    setup.make_knowledge(world, writer)
    report("setup", 5, steps)
    setup.make_packages(world, writer)
    report("setup", 6, steps)


def _chunks(seed: int, world: World, writer: Writer, spec: Size, report: Progress) -> None:
    """All client chunks, each committed on its own (written while the next is made)."""
    chunks = math.ceil(spec.companies / CHUNK)
    done = {"companies": 0, "deals": 0, "events": 0}
    for k in range(chunks):
        made = _chunk(random.Random(f"qstui-demo:{seed}:{k}"), world, writer, spec, k, chunks)
        with writer.timing("commit"):
            writer.commit()
        for key, value in made.items():
            done[key] += value
        if k < chunks - 1:  # the last chunk counts once it is written (after the writers finish)
            _report(report, spec, done)


def _report(report: Progress, spec: Size, done: dict[str, int]) -> None:
    report("companies", done["companies"], spec.companies)
    report("deals", done["deals"], spec.deals)
    report("events", done["events"], spec.events)
    report("search", done["companies"], spec.companies)


def _chunk(
    rng: random.Random, world: World, writer: Writer, spec: Size, k: int, chunks: int
) -> dict[str, int]:
    """Generate and write chunk ``k``; returns how many companies, deals, events it made."""
    count = share(spec.companies, k, chunks)
    n_deals = share(spec.deals, k, chunks)
    n_events = share(spec.events, k, chunks)
    batch = Batch()
    with writer.timing("companies"):
        contacts = spread(rng, share(spec.contacts, k, chunks), count, 1, 6)
        infos = make_companies(rng, world, batch, count, contacts)
        make_extras(rng, world, batch, infos)
    with writer.timing("deals"):
        deals = make_deals(rng, world, batch, infos, n_deals)
    with writer.timing("events"):
        make_events(rng, world, batch, infos, deals, spread(rng, n_events, count, 1, 80))
    with writer.timing("search"):
        make_search_words(world, batch)
    for table, family in CHUNK_TABLES:
        writer.write(family, table, batch.rows(table))
    return {"companies": count, "deals": n_deals, "events": n_events}
