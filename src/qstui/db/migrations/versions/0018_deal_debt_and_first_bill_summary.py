"""deals.debt and deals.billed_on, and indexes for the receivables and the visibility parts

``debt`` = max(invoiced, shipped) − paid (0 when a conversion lacks a rate; negative for
an advance) and ``billed_on``, the day of the deal's first counted invoice or shipment,
are kept with the other money summaries by ``services.deals.sums.recount_deal_money``.
The receivables report (R6) then reads the owing deals as an index range on ``debt``
(on SQLite from the index alone; a deal lacking a rate has debt 0) instead of computing
every deal's debt and grouping its documents for the age; a second index finds the
deals lacking a rate it counts.

The index of a client's deals gets their manager too: the reports' "other deals of the
visible managers' clients" (``services.reports._in_currency.visible_deal_parts``) are
then told apart from the index alone on SQLite, without reading each deal.

Filled here for the existing deals from the columns and documents they already have
(the same values the recount gives: the three sums are kopecks).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qstui.db import compat

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BILLS = (
    "FROM deal_documents x WHERE x.deal_id = deals.id "
    "AND x.doc_kind IN ('invoice', 'shipment') AND x.state <> 'deleted'"
)
FILL_DEBT = """
UPDATE deals SET debt = ROUND(CASE WHEN invoiced > shipped THEN invoiced ELSE shipped END - paid, 2)
WHERE invoiced <> 0 OR shipped <> 0 OR paid <> 0
"""
FILL_BILLED = (
    f"UPDATE deals SET billed_on = (SELECT MIN(x.doc_date) {BILLS}) WHERE EXISTS (SELECT 1 {BILLS})"
)
OWING = "ix_deals_debt_company_id_8d98f7"
RATE_MISSING = "ix_deals_rate_missing_ma_8dcb11"
BY_CLIENT = "ix_deals_company_id_manager_id"


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: see 0006 (a SQLite table copy would cascade).
    op.add_column(
        "deals",
        sa.Column(
            "debt", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False
        ),
    )
    op.add_column("deals", sa.Column("billed_on", sa.Date(), nullable=True))
    conn = op.get_bind()
    compat.commit_ddl(conn)  # Firebird: the new columns exist from here on
    conn.execute(sa.text(FILL_DEBT))
    conn.execute(sa.text(FILL_BILLED))
    op.create_index(
        OWING,
        "deals",
        ["debt", "company_id", "manager_id", "currency_code", "billed_on"],
    )
    op.create_index(RATE_MISSING, "deals", ["rate_missing", "manager_id"])
    op.create_index(BY_CLIENT, "deals", ["company_id", "manager_id"])
    op.drop_index("ix_deals_company_id", table_name="deals")


def downgrade() -> None:
    op.create_index("ix_deals_company_id", "deals", ["company_id"])
    op.drop_index(BY_CLIENT, table_name="deals")
    op.drop_index(RATE_MISSING, table_name="deals")
    op.drop_index(OWING, table_name="deals")
    for name in ("billed_on", "debt"):
        op.drop_column("deals", name)
