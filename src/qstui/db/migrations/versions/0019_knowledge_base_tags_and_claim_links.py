"""kb_articles.tags and claims.kb_article_id: an article's tags, a claim's article

An article (B1) carries tags besides its title and Markdown body: words separated by
commas, shown with the article and searched like its title. A claim (C7) may link the
knowledge-base article that answers it, opened from the claim; deleting the article
only unlinks it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("kb_articles", sa.Column("tags", sa.String(length=500), nullable=True))
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kb_article_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_claims_kb_article_id"),
            "kb_articles",
            ["kb_article_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claims_kb_article_id"), type_="foreignkey")
        batch_op.drop_column("kb_article_id")
    # ALTER TABLE … DROP (SQLite >= 3.35), not a batch copy.
    op.drop_column("kb_articles", "tags")
