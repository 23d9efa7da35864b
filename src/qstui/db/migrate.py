"""Schema migrations: the only way the schema is created or changed (Alembic)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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


def upgrade(db: Database, revision: str = "head") -> bool:
    """Migrate to ``revision``. Then, on a Firebird database with per-user logins (the
    role of ``db.grants`` exists), the grants are applied again, so that every table a
    migration added gets them; returns whether they were."""
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    if not grants_in_place(db):
        return False
    apply_grants(db)
    return True


def downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
