"""indexes of the deal list, overdue stages and idle clients

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:05:24.827460
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_companies_manager_id__b0bf21"),
            ["manager_id", "last_contact_at"],
            unique=False,
        )

    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_a1256d"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_done_on_due_on"), ["done_on", "due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_3cc273"),
            ["responsible_id", "done_on", "due_on"],
            unique=False,
        )

    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deals_started_on_id"),
            ["started_on", "id"],
            unique=False,
            firebird_descending=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_started_on_id"), firebird_descending=True)

    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_3cc273"))
        batch_op.drop_index(batch_op.f("ix_deal_stages_done_on_due_on"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_a1256d"),
            ["responsible_id", "due_on"],
            unique=False,
        )

    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_manager_id__b0bf21"))
