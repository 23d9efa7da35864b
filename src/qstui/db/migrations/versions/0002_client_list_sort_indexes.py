"""client list sort indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:33:43.251951
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_city_fold"))
        batch_op.drop_index(batch_op.f("ix_companies_inn"))
        batch_op.drop_index(batch_op.f("ix_companies_last_contact_at"))
        batch_op.create_index(
            batch_op.f("ix_companies_city_fold_id"), ["city_fold", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_companies_created_at_id"), ["created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_companies_inn_id"), ["inn", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_companies_last_contact_at_id"), ["last_contact_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_last_contact_at_id"))
        batch_op.drop_index(batch_op.f("ix_companies_inn_id"))
        batch_op.drop_index(batch_op.f("ix_companies_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_companies_city_fold_id"))
        batch_op.create_index(
            batch_op.f("ix_companies_last_contact_at"), ["last_contact_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_companies_inn"), ["inn"], unique=False)
        batch_op.create_index(batch_op.f("ix_companies_city_fold"), ["city_fold"], unique=False)
