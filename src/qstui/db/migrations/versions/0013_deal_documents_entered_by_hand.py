"""deal_documents.by_hand: invoices and shipments a manager registered without 1C

A team without 1C registers its invoices and shipments on the deal card, so that the
debt (D6) is invoiced/shipped minus paid there too. Such a document is marked
``by_hand``: its editors may change or delete it, while a document from 1C stays
read-only. Neither ``base_id`` (empty for the demo's and older 1C documents alike) nor
the state tells the two apart, hence the column; every existing row came from 1C.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: SQLite would copy the table for the default.
    op.add_column(
        "deal_documents",
        sa.Column("by_hand", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy: see upgrade.
    op.drop_column("deal_documents", "by_hand")
