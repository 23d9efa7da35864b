"""client_terms.credit_limit (R6) and covering indexes for the funnel and manager control

``client_terms.credit_limit``: the debt a client may carry, in the base currency (a client
with several active terms has the largest limit among those valid today); the
receivables report marks the clients over it.

Covering indexes for the reports on the large demo (SQLite reads them instead of the
tables): for the funnel (R1), the open deals per pipeline and stage with their currency
and amount, and the stage history (stage, started, done) for the conversion and the
days in each stage; for manager control (R3), the deals closed in a period, the deals
open on a day, and a deal's stage rows by deadline (overdue on a day).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "client_terms", sa.Column("credit_limit", sa.Numeric(precision=18, scale=2), nullable=True)
    )
    op.create_index(
        "ix_deals_status_pipeline_935624",
        "deals",
        [
            "status",
            "pipeline_id",
            "stage_id",
            "currency_code",
            "amount",
            "started_on",
            "manager_id",
        ],
    )
    op.create_index(
        "ix_deal_stages_stage_id__1560d2", "deal_stages", ["stage_id", "started_on", "done_on"]
    )
    op.create_index(
        "ix_deals_status_closed_o_f8fd7b",
        "deals",
        ["status", "closed_on", "manager_id", "currency_code", "amount", "started_on"],
    )
    op.create_index(
        "ix_deals_started_on_clos_2e6ba7",
        "deals",
        ["started_on", "closed_on", "manager_id", "planned_end_on"],
    )
    op.create_index(
        "ix_deal_stages_deal_id_s_e8e635",
        "deal_stages",
        ["deal_id", "stage_id", "due_on", "started_on", "done_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_deal_stages_deal_id_s_e8e635", table_name="deal_stages")
    op.drop_index("ix_deals_started_on_clos_2e6ba7", table_name="deals")
    op.drop_index("ix_deals_status_closed_o_f8fd7b", table_name="deals")
    op.drop_index("ix_deal_stages_stage_id__1560d2", table_name="deal_stages")
    op.drop_index("ix_deals_status_pipeline_935624", table_name="deals")
    op.drop_column("client_terms", "credit_limit")
