"""Schema migrations: the only way the schema is created or changed (Alembic)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from qstui.db import alembic_firebird  # noqa: F401  (Alembic's Firebird spellings)
from qstui.db.engine import Database
from qstui.db.grants import apply_grants, grants_in_place

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _whole(conn: Connection) -> None:
    """SQLite: the migrations in one transaction, so that one that fails leaves the
    database as it was. The driver opens a transaction only before INSERT, UPDATE or
    DELETE; each CREATE or DROP before one would be committed on its own, and a failed
    upgrade would leave a schema no revision describes. (Firebird applies DDL at
    commit, and the migrations commit it as they go: ``compat.commit_ddl``.)"""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def upgrade(db: Database, revision: str = "head") -> bool:
    """Migrate to ``revision``. Then, on a Firebird database with per-user logins (the
    role of ``db.grants`` exists), the grants are applied again, so that every table a
    migration added gets them; returns whether they were."""
    cfg = alembic_config()
    with db.engine.begin() as conn:
        _whole(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    if not grants_in_place(db):
        return False
    apply_grants(db)
    return True


def downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as conn:
        _whole(conn)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
