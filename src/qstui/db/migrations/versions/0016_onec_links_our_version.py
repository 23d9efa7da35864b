"""onec_links.object_version: the version of our row when it was last synced

The reference sync (E2) tells "changed here since the last sync" from "unchanged" by
comparing a company's or product's ``version`` with the one stored in its link, as it
compares 1C's ``DataVersion`` with ``data_version``.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("onec_links", sa.Column("object_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("onec_links", "object_version")
