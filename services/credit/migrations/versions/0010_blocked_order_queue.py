"""The blocked-order queue: each decision's business date; orders by status, oldest first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("business_date", sa.Date(), nullable=True), schema="credit")
    # decisions before business dates were judged on the calendar date (UTC by default)
    op.execute("UPDATE credit.orders SET business_date = (created_at AT TIME ZONE 'UTC')::date")
    op.alter_column("orders", "business_date", nullable=False, schema="credit")
    op.create_index(
        "ix_orders_status_created",
        "orders",
        ["status", "created_at", "order_reference"],
        unique=False,
        schema="credit",
    )


def downgrade() -> None:
    op.drop_index("ix_orders_status_created", table_name="orders", schema="credit")
    op.drop_column("orders", "business_date", schema="credit")
