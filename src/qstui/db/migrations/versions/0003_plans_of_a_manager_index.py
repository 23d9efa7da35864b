"""index of a manager's plans: events by responsible, status and time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:08:02.391608
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_responsible_id_bd40f1"),
            ["responsible_id", "status", "event_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_responsible_id_bd40f1"))
