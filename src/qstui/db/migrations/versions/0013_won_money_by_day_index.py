"""won and lost money by day: an index on deals (status, closed_on, manager_id,
currency_code, amount)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 11:00:00.000000

The sales report (R2: won money by manager by month) sums the deals of a status closed
in a period, per manager and currency. With this index SQLite reads that range from the
index alone: 0.31 s → 0.10 s for a year of the large demo's won deals in the base
currency (the query of the other currencies 0.23 s → 0.01 s); on Firebird it is the
range of a status and a period.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["status", "closed_on", "manager_id", "currency_code", "amount"]


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_status_closed_o_2185f9"), COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_status_closed_o_2185f9"))
