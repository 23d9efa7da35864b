"""Migrations build the whole schema on both backends, and the models match it."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect
from sqlalchemy.exc import OperationalError

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


def test_a_failed_upgrade_leaves_a_sqlite_database_as_it_was(scratch_url, backend):
    """A migration that fails half-way (here 0021: a table it creates exists already)
    leaves neither its first tables nor a new revision behind."""
    if backend != "sqlite":
        pytest.skip("Firebird applies DDL at commit; the migrations commit it as they go")
    url = scratch_url("half")
    create_database(url)
    db = Database(url)
    try:
        upgrade(db, "0020")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE event_facts (id INTEGER PRIMARY KEY)")
        with pytest.raises(OperationalError):
            upgrade(db)
        assert current_revision(db) == "0020"
        tables = set(inspect(db.engine).get_table_names())
        assert "deal_facts" not in tables and "stage_facts" not in tables
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE event_facts")
        upgrade(db)  # and once the obstacle is gone, it goes through
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
