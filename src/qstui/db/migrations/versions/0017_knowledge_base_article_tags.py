"""kb_articles.tags: the tags of a knowledge-base article

An article (B1) carries tags besides its title and Markdown body: words separated by
commas, shown with the article and searched like its title.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("kb_articles", sa.Column("tags", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy.
    op.drop_column("kb_articles", "tags")
