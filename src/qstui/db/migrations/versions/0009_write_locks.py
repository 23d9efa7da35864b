"""write_locks: lock rows that serialise registering companies on both backends

The duplicate check and the insert of a new company must be one step: two users
registering the same client at once both found no duplicate and both inserted. A
registration (and an import) first updates its lock row (``qstui.db.locks``), which
waits for the other registration to commit — on Firebird too, where nothing else
would make the two transactions wait for each other.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qstui.db import compat

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    locks = op.create_table(
        "write_locks",
        sa.Column("name", sa.String(length=31), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_write_locks")),
    )
    compat.commit_ddl(op.get_bind())  # Firebird: the table exists from here on
    op.bulk_insert(locks, [{"name": "companies"}])


def downgrade() -> None:
    op.drop_table("write_locks")
