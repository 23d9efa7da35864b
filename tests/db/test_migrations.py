"""Migrations build the whole schema on both backends, and the models match it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect

from qstui.db.create import create_database
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision, upgrade
from qstui.db.models import metadata


def _diff(db: Database, target: MetaData) -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, target)


def test_upgrade_empty_database_to_head_matches_models(scratch_url):
    url = scratch_url("mig")
    create_database(url)
    db = Database(url)
    try:
        assert current_revision(db) is None
        upgrade(db)
        assert current_revision(db) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(metadata.tables) <= {t.lower() for t in tables}
        assert _diff(db, metadata) == []

        # The comparison can fail: a model column the migrations lack is reported.
        changed = MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(changed)
        changed.tables["companies"].append_column(Column("not_migrated", Integer))
        diff = _diff(db, changed)
        assert any(d[0] == "add_column" and d[3].name == "not_migrated" for d in diff)

        upgrade(db)  # at head: a second upgrade is harmless
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
