"""Drop the indexes of deals and deal stages that only the reports read

The funnel, receivables and manager control read the reports' copies now (0021,
0022); four indexes kept for them on ``deals`` and ``deal_stages`` serve nothing else,
and every deal or stage write still paid for them:
- deals (started_on, closed_on, manager_id, planned_end_on): R3's deals open on a day;
- deals (debt, company_id, manager_id, currency_code, billed_on): R6's owing deals;
- deals (rate_missing, manager_id): R6's deals lacking a rate;
- deal_stages (stage_id, started_on, done_on): R1's stage history.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 20:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = (
    (
        "deals",
        "ix_deals_started_on_clos_2e6ba7",
        ["started_on", "closed_on", "manager_id", "planned_end_on"],
    ),
    (
        "deals",
        "ix_deals_debt_company_id_8d98f7",
        ["debt", "company_id", "manager_id", "currency_code", "billed_on"],
    ),
    ("deals", "ix_deals_rate_missing_ma_8dcb11", ["rate_missing", "manager_id"]),
    ("deal_stages", "ix_deal_stages_stage_id__1560d2", ["stage_id", "started_on", "done_on"]),
)


def upgrade() -> None:
    for table, name, _columns in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns)
