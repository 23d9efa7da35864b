"""late stages of open deals by index: deal_stages.deal_open

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:35:41.828776

A lost deal's stages stay undone, so its late stages are late forever: the start page's
"overdue stages of my open deals", walking the late stages in deadline order, had to
step over all of them (7 200 for a manager of the large demo: 100 ms on Firebird, and
growing every year). ``deal_open`` copies "the deal is open" onto its stages (kept by
``services.deals.outcome``) and leads the indexes, so only open deals' stages are
walked. Filled here from ``deals.status``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qstui.db import compat

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = sa.table("deal_stages", sa.column("deal_id"), sa.column("deal_open", sa.Boolean))
DEALS = sa.table("deals", sa.column("id"), sa.column("status"))


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch (see 0006: SQLite would copy the table, and the copy's
    # drop cascades with foreign keys on).
    op.add_column(
        "deal_stages",
        sa.Column("deal_open", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    conn = op.get_bind()
    compat.commit_ddl(conn)  # Firebird: the new column exists from here on
    closed = sa.select(DEALS.c.id).where(DEALS.c.status != "open")
    conn.execute(STAGES.update().where(STAGES.c.deal_id.in_(closed)).values(deal_open=False))
    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_done_on_d_3f6b8d"))
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_b36c9a"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_deal_open_b21cbc"),
            ["deal_open", "done_on", "due_on", "deal_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_88a329"),
            ["responsible_id", "deal_open", "done_on", "due_on", "deal_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deal_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stages_responsib_88a329"))
        batch_op.drop_index(batch_op.f("ix_deal_stages_deal_open_b21cbc"))
        batch_op.create_index(
            batch_op.f("ix_deal_stages_responsib_b36c9a"),
            ["responsible_id", "done_on", "due_on", "deal_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stages_done_on_d_3f6b8d"),
            ["done_on", "due_on", "deal_id", "id"],
            unique=False,
        )
    op.drop_column("deal_stages", "deal_open")
