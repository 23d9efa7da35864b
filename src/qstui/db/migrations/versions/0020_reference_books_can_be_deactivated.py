"""is_active on regions, units, currencies, product groups, price lists, departments

Every reference book (S1) can now be deactivated: a value in use is never deleted, it
is made inactive — old records keep showing it, new choices no longer offer it. The
other books (sources, industries, refusal reasons, interaction types and results,
pipelines, stages, products, custom fields) had the column from the start. Every
existing row stays active.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("regions", "units", "currencies", "product_groups", "price_lists", "departments")


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: SQLite would copy the table for the default.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        )


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy: see upgrade.
    for table in TABLES:
        op.drop_column(table, "is_active")
