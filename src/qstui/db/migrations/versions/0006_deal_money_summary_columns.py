"""summary columns of a deal's money: invoiced, shipped, paid, rate_missing

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:40:00.000000

The debt screens read these instead of aggregating documents and payments on every
open (``services.deals.sums``). They are filled here for the existing deals: by SQL
sums where no conversion is involved (exactly what the service computes then: the
amounts are already kopecks), then by the service's own recount for the deals having
a counted document or an actual payment in another currency than the deal's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from qstui.db import compat

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Counted documents and actual payments of the deal being updated (D6).
DOCUMENTS = "FROM deal_documents x WHERE x.deal_id = deals.id AND x.state <> 'deleted'"
PAYMENTS = "FROM payments p WHERE p.deal_id = deals.id AND p.pay_kind = 'actual'"
FILL = f"""
UPDATE deals SET
  invoiced = COALESCE((SELECT SUM(x.amount) {DOCUMENTS} AND x.doc_kind = 'invoice'), 0),
  shipped = COALESCE((SELECT SUM(x.amount) {DOCUMENTS} AND x.doc_kind = 'shipment'), 0),
  paid = COALESCE((SELECT SUM(p.amount) {PAYMENTS}), 0)
WHERE EXISTS (SELECT 1 {DOCUMENTS} AND x.doc_kind IN ('invoice', 'shipment'))
   OR EXISTS (SELECT 1 {PAYMENTS})
"""
CONVERTED = """
SELECT d.id FROM deals d JOIN deal_documents x ON x.deal_id = d.id
WHERE x.currency_code <> d.currency_code AND x.doc_kind IN ('invoice', 'shipment')
  AND x.state <> 'deleted'
UNION
SELECT d.id FROM deals d JOIN payments p ON p.deal_id = d.id
WHERE p.currency_code <> d.currency_code AND p.pay_kind = 'actual'
"""


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: SQLite would copy the table for a default given as
    # an expression, and with foreign keys on, dropping the old one cascades to the
    # deal's stages, products and payments.
    for name in ("invoiced", "shipped", "paid"):
        op.add_column(
            "deals",
            sa.Column(
                name, sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False
            ),
        )
    op.add_column(
        "deals", sa.Column("rate_missing", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    conn = op.get_bind()
    compat.commit_ddl(conn)  # Firebird: the new columns exist from here on
    conn.execute(sa.text(FILL))
    converted = sorted(row[0] for row in conn.execute(sa.text(CONVERTED)))
    if converted:
        # The service's own recount (conversions at the rates of the rows' dates).
        from qstui.services.deals.sums import MONEY_ONLY, recount_deal_money

        session = Session(bind=conn)
        try:
            for chunk in compat.chunks(converted):
                recount_deal_money(session, chunk, MONEY_ONLY)
            session.flush()
        finally:
            session.close()


def downgrade() -> None:
    # ALTER TABLE … DROP (SQLite ≥ 3.35), not a batch copy: see upgrade.
    for name in ("rate_missing", "paid", "shipped", "invoiced"):
        op.drop_column("deals", name)
