"""client_terms.credit_limit: the debt a client may carry (R6 marks clients over it)

The limit is in the base currency; a client with several active terms has the largest
limit among those valid today.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "client_terms", sa.Column("credit_limit", sa.Numeric(precision=18, scale=2), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("client_terms", "credit_limit")
