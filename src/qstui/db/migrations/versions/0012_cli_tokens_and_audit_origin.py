"""user_tokens and the OS user and host of audit rows: the CLI acts as a proven user

``qstui … --as LOGIN`` needs that user's password or a personal token made by
``qstui login``; the database keeps only the SHA-256 of a token's secret. Every change
the CLI makes is logged with the OS account and the computer it was made from, besides
the application user.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("os_user", sa.String(length=100), nullable=True),
        sa.Column("os_host", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_tokens_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_tokens_token_hash")),
    )
    op.create_index(op.f("ix_user_tokens_user_id"), "user_tokens", ["user_id"], unique=False)
    # Plain ALTER TABLE, not a batch: SQLite would copy the whole audit log.
    op.add_column("audit_log", sa.Column("os_user", sa.String(length=100), nullable=True))
    op.add_column("audit_log", sa.Column("os_host", sa.String(length=255), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy: see upgrade.
    op.drop_column("audit_log", "os_host")
    op.drop_column("audit_log", "os_user")
    op.drop_index(op.f("ix_user_tokens_user_id"), table_name="user_tokens")
    op.drop_table("user_tokens")
