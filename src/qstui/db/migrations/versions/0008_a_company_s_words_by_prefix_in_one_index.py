"""a company's words by prefix in one index

The quick filter's short prefixes («р», «ром») match words of most companies: the list
is then walked in its own order and each company checked for a word with the prefix.
With ``(company_id, word)`` that check is one index probe; with ``company_id`` alone it
read every word of the company (~50). The new index serves what the old one did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 07:44:44.777237
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("search_words", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_words_company_id"))
        batch_op.create_index(
            batch_op.f("ix_search_words_company_id_word"), ["company_id", "word"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("search_words", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_words_company_id_word"))
        batch_op.create_index(
            batch_op.f("ix_search_words_company_id"), ["company_id"], unique=False
        )
