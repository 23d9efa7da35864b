"""listing order in the indexes of plans, late stages and idle clients

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:16:30.218451
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_manager_id__b0bf21"))
        batch_op.create_index(
            batch_op.f("ix_companies_manager_id__270460"),
            ["manager_id", "last_contact_at", "name_fold", "id"],
            unique=False,
        )

    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_done_on_due_on"))
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_3cc273"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_done_on_d_3f6b8d"),
            ["done_on", "due_on", "deal_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_b36c9a"),
            ["responsible_id", "done_on", "due_on", "deal_id", "id"],
            unique=False,
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_responsible_id_bd40f1"))
        batch_op.create_index(
            batch_op.f("ix_events_responsible_id_821803"),
            ["responsible_id", "status", "event_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_responsible_id_821803"))
        batch_op.create_index(
            batch_op.f("ix_events_responsible_id_bd40f1"),
            ["responsible_id", "status", "event_at"],
            unique=False,
        )

    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_b36c9a"))
        batch_op.drop_index(batch_op.f("ix_deal_stages_done_on_d_3f6b8d"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_3cc273"),
            ["responsible_id", "done_on", "due_on"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stages_done_on_due_on"), ["done_on", "due_on"], unique=False
        )

    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_manager_id__270460"))
        batch_op.create_index(
            batch_op.f("ix_companies_manager_id__b0bf21"),
            ["manager_id", "last_contact_at"],
            unique=False,
        )
