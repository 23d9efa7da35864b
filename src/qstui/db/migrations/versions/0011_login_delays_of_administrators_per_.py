"""login delays of administrators per source

Administrators are never locked out by failed logins (a guesser could otherwise lock out
everyone who can unlock accounts); instead the failures in a row from one source (an
SSH client's address, or the OS user and host) make that source's next attempt wait.
One row per administrator and source, deleted by a successful login from it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 08:23:07.470875
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_delays",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_delays_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_delays")),
        sa.UniqueConstraint("user_id", "source", name=op.f("uq_login_delays_user_id_source")),
    )


def downgrade() -> None:
    op.drop_table("login_delays")
