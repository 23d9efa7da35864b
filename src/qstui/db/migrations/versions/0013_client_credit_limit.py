"""client_terms.credit_limit and the funnel's indexes (R1, R6)

``client_terms.credit_limit``: the debt a client may carry, in the base currency (a client
with several active terms has the largest limit among those valid today); the
receivables report marks the clients over it.

Two covering indexes for the funnel on the large demo (SQLite reads them instead of the
tables): the open deals per pipeline and stage with their currency and amount, and the
stage history (``deal_stages``: stage, started, done) for the conversion and the days
in each stage.

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
    op.create_index(
        "ix_deals_status_pipeline_912763",
        "deals",
        ["status", "pipeline_id", "stage_id", "currency_code", "amount"],
    )
    op.create_index(
        "ix_deal_stages_stage_id__1560d2", "deal_stages", ["stage_id", "started_on", "done_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_deal_stages_stage_id__1560d2", table_name="deal_stages")
    op.drop_index("ix_deals_status_pipeline_912763", table_name="deals")
    op.drop_column("client_terms", "credit_limit")
