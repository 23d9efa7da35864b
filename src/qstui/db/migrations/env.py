"""Alembic environment. Run through ``qstui.db.migrate`` (``qstui db init|upgrade``),
which passes an open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator

from qstui.db import (
    alembic_firebird,  # noqa: F401  (Alembic's Firebird spellings)
    compat,
)
from qstui.db.models import metadata

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our TypeDecorators as their plain SQL type, so migrations need no imports."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.load_dialect_impl(autogen_context.dialect) if obj.impl is None else obj.impl
        if type(impl).__name__ == "Text" or getattr(impl, "length", 0) is None:
            return "sa.Text()"
        return f"sa.String(length={impl.length})"
    return False


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through qstui (qstui db upgrade), not alembic")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
        transaction_per_migration=True,
    )
    if connection.dialect.name == compat.FIREBIRD:
        # DDL takes effect at commit on Firebird: make the version table real before
        # the first migration writes into it.
        context.get_context()._ensure_version_table()
        compat.commit_ddl(connection)
    with context.begin_transaction():
        context.run_migrations()


run()
