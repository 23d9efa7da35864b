"""contracts.pay_terms and contracts.file_path: a contract's payment terms and its file

The client card's contracts tab adds, edits and closes contracts (C2): besides the
number, dates, currency and amount a contract states its payment terms and points to
its signed file (a path on the office share; the database keeps the path, not the
file).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contracts", sa.Column("pay_terms", sa.String(length=500), nullable=True))
    op.add_column("contracts", sa.Column("file_path", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy.
    op.drop_column("contracts", "file_path")
    op.drop_column("contracts", "pay_terms")
