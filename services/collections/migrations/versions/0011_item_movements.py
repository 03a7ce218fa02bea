"""item movements: each open item's balance by effective date

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:20:00

Existing databases fill it with `ar-collections-rebuild` (the projection replays the topics).
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
        "item_movements",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("delta_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", "kind", "source_id", name=op.f("pk_item_movements")),
        schema="collections",
    )
    op.create_index(
        "ix_item_movements_customer_date",
        "item_movements",
        ["customer_id", "effective_date"],
        unique=False,
        schema="collections",
    )
    # about accounts: the same row-level security as the other projected tables (migration 0003)
    op.execute("ALTER TABLE collections.item_movements ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY portfolio_access ON collections.item_movements "
        "USING ((SELECT collections.sees_all()) "
        "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))"
    )


def downgrade() -> None:
    op.drop_index("ix_item_movements_customer_date", table_name="item_movements", schema="collections")
    op.drop_table("item_movements", schema="collections")
