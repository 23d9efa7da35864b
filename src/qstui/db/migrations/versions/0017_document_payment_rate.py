"""deal_documents.rate, payments.rate: the rate a 1C document was made at

A document or a payment that comes from 1C keeps its amount in its own currency and
the rate 1C made it at (units of the base currency for one unit of the document's;
``КурсВзаиморасчетов`` / ``КратностьВзаиморасчетов``), so a deal in any currency
round-trips with its rate. Rows made in qstui leave it empty.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deal_documents", sa.Column("rate", sa.Numeric(18, 6), nullable=True))
    op.add_column("payments", sa.Column("rate", sa.Numeric(18, 6), nullable=True))


def downgrade() -> None:
    op.drop_column("payments", "rate")
    op.drop_column("deal_documents", "rate")
