"""Creating, upgrading and describing a whole database (``qstui db init/upgrade/info``).

``init_database`` is what the first run of the application calls too: it creates the
database when it does not exist (a file for SQLite; through the server with page size
16384 and charset UTF8 for Firebird), migrates it to the head revision and loads the
default reference books. Running it again changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import URL, Connection

from qstui.db.create import create_database, database_exists
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import alembic_config, current_revision, head_revision, upgrade
from qstui.db.models import metadata
from qstui.db.statistics import refresh_statistics
from qstui.db.urls import is_firebird, mask_url, normalize_url
from qstui.domain.errors import ServiceError
from qstui.i18n import _

DbTarget = URL | str | Database


class DatabaseMissing(ServiceError):
    """The database named by the URL does not exist (yet)."""

    def __init__(self, url: URL) -> None:
        super().__init__(
            _("The database {url} does not exist; create it with: qstui db init").format(
                url=mask_url(url)
            )
        )
        self.url = url


@dataclass(frozen=True)
class InitResult:
    backend: str
    url: str  # password masked
    created: bool
    revision_before: str | None
    revision: str
    refbooks_added: dict[str, int] = field(default_factory=dict)

    @property
    def migrated(self) -> bool:
        return self.revision_before != self.revision

    @property
    def rows_added(self) -> int:
        return sum(self.refbooks_added.values())

    @property
    def up_to_date(self) -> bool:
        """Nothing was done: the database existed, at head, with every reference book."""
        return not self.created and not self.migrated and self.rows_added == 0


@dataclass(frozen=True)
class UpgradeResult:
    backend: str
    url: str
    revision_before: str | None
    revision: str
    grants: bool = False  # the per-user role's grants were brought up to date (db.grants)
    analyzed: int = 0  # indexes (tables, on SQLite) whose planner statistics were refreshed

    @property
    def migrated(self) -> bool:
        return self.revision_before != self.revision


@dataclass(frozen=True)
class DbInfo:
    backend: str
    url: str  # password masked
    revision: str | None
    head: str
    server_version: str
    size_bytes: int | None
    tables: dict[str, int | None]  # None: the table is missing (not migrated yet)

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head

    @property
    def total_rows(self) -> int:
        return sum(n for n in self.tables.values() if n)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["needs_upgrade"] = self.needs_upgrade
        data["total_rows"] = self.total_rows
        return data


def as_url(target: DbTarget) -> URL:
    if isinstance(target, Database):
        return target.url
    return normalize_url(target) if isinstance(target, str) else target


def backend_of(url: URL) -> str:
    return "firebird" if is_firebird(url) else "sqlite"


@contextmanager
def opened(target: DbTarget) -> Iterator[Database]:
    """The given Database, or one opened for a URL and disposed afterwards."""
    if isinstance(target, Database):
        yield target
        return
    db = Database(as_url(target))
    try:
        yield db
    finally:
        db.dispose()


def require_existing(target: DbTarget) -> URL:
    """The URL of ``target``; raises ``DatabaseMissing`` when there is no such database.

    Checked before connecting: connecting to an SQLite path would create an empty file.
    """
    url = as_url(target)
    if not isinstance(target, Database) and not database_exists(url):
        raise DatabaseMissing(url)
    return url


def init_database(target: DbTarget) -> InitResult:
    """Create (if needed), migrate to head and load the default reference books."""
    url = as_url(target)
    created = create_database(url)
    with opened(target) as db:
        before = current_revision(db)
        upgrade(db)
        added = load_defaults(db)
        after = current_revision(db)
    return InitResult(
        backend=backend_of(url),
        url=mask_url(url),
        created=created,
        revision_before=before,
        revision=after or "",
        refbooks_added={k: v for k, v in added.items() if v},
    )


def upgrade_database(target: DbTarget) -> UpgradeResult:
    """Migrate an existing database to head; ``DatabaseMissing`` if there is none."""
    url = require_existing(target)
    with opened(target) as db:
        before = current_revision(db)
        grants = upgrade(db)  # and the per-user role's grants, if there is one
        after = current_revision(db)
        # a migration that built indexes left them without statistics (Firebird: none
        # until asked; the planner then skips them)
        analyzed = refresh_statistics(db) if after != before else 0
    return UpgradeResult(backend_of(url), mask_url(url), before, after or "", grants, analyzed)


def revision_known(revision: str | None) -> bool:
    """Whether this version of qstui has the migration ``revision`` (None: empty schema)."""
    if revision is None:
        return True
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic.util.CommandError / ResolutionError for an unknown id
        return False


def table_counts(db: Database) -> dict[str, int | None]:
    """Rows in every table of the schema, by name; None for a table that is missing."""
    with db.engine.connect() as conn:
        return _counts(conn)


def _counts(conn: Connection) -> dict[str, int | None]:
    existing = {name.lower() for name in inspect(conn).get_table_names()}
    counts: dict[str, int | None] = {}
    for table in sorted(metadata.sorted_tables, key=lambda t: t.name):
        if table.name.lower() in existing:
            counts[table.name] = int(conn.scalar(select(func.count()).select_from(table)) or 0)
        else:
            counts[table.name] = None
    conn.rollback()
    return counts


def rows_in(db: Database) -> int:
    """All rows of the application's tables (reference books included)."""
    return sum(n for n in table_counts(db).values() if n)


def database_info(target: DbTarget) -> DbInfo:
    """What ``qstui db info`` shows; ``DatabaseMissing`` if the database does not exist."""
    url = require_existing(target)
    with opened(target) as db:
        revision = current_revision(db)
        with db.engine.connect() as conn:
            if is_firebird(url):
                row = conn.execute(
                    text(
                        "SELECT rdb$get_context('SYSTEM', 'ENGINE_VERSION'), "
                        "mon$page_size * mon$pages FROM mon$database"
                    )
                ).one()
                version, size = f"Firebird {row[0]}", int(row[1])
            else:
                version = f"SQLite {conn.scalar(text('SELECT sqlite_version()'))}"
                size = _sqlite_size(url)
            conn.rollback()
            counts = _counts(conn)
    return DbInfo(
        backend=backend_of(url),
        url=mask_url(url),
        revision=revision,
        head=head_revision(),
        server_version=version,
        size_bytes=size,
        tables=counts,
    )


def _sqlite_size(url: URL) -> int | None:
    if not url.database or url.database == ":memory:":
        return None
    try:
        return os.path.getsize(url.database)
    except OSError:
        return None


__all__ = [
    "DatabaseMissing",
    "DbInfo",
    "InitResult",
    "UpgradeResult",
    "as_url",
    "backend_of",
    "database_info",
    "init_database",
    "opened",
    "require_existing",
    "revision_known",
    "rows_in",
    "table_counts",
    "upgrade_database",
]
