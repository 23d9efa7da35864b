"""Alembic on Firebird: the dialect name Alembic looks up and the ALTER TABLE spellings
Firebird needs. Imported where migrations run (``qstui.db.migrate``, the migrations'
``env.py``), not by the app: Alembic costs ~0.1 s of every start.
"""

from __future__ import annotations

from typing import Any

from alembic.ddl import base as alembic_base
from alembic.ddl.impl import DefaultImpl
from sqlalchemy.ext.compiler import compiles

from qstui.db.compat import FIREBIRD


class FirebirdImpl(DefaultImpl):
    """Registers the dialect name Alembic looks up (``KeyError: 'firebird.firebird'``)."""

    __dialect__ = FIREBIRD
    transactional_ddl = False


@compiles(alembic_base.AddColumn, FIREBIRD)
def _fb_add_column(element: alembic_base.AddColumn, compiler: Any, **kw: Any) -> str:
    spec = compiler.get_column_specification(element.column, **kw)
    return f"{alembic_base.alter_table(compiler, element.table_name, element.schema)} ADD {spec}"


@compiles(alembic_base.DropColumn, FIREBIRD)
def _fb_drop_column(element: alembic_base.DropColumn, compiler: Any, **kw: Any) -> str:
    table = alembic_base.alter_table(compiler, element.table_name, element.schema)
    column = alembic_base.format_column_name(compiler, element.column.name)
    return f"{table} DROP {column}"


@compiles(alembic_base.ColumnName, FIREBIRD)
def _fb_rename_column(element: alembic_base.ColumnName, compiler: Any, **kw: Any) -> str:
    table = alembic_base.alter_table(compiler, element.table_name, element.schema)
    old = alembic_base.format_column_name(compiler, element.column_name)
    new = alembic_base.format_column_name(compiler, element.newname)
    return f"{table} ALTER COLUMN {old} TO {new}"


@compiles(alembic_base.ColumnNullable, FIREBIRD)
def _fb_column_nullable(element: alembic_base.ColumnNullable, compiler: Any, **kw: Any) -> str:
    table = alembic_base.alter_table(compiler, element.table_name, element.schema)
    column = alembic_base.format_column_name(compiler, element.column_name)
    return f"{table} ALTER {column} {'DROP' if element.nullable else 'SET'} NOT NULL"
