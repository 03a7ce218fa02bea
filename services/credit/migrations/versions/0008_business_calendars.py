"""Business calendars per entity (from BusinessDateChanged); customers found by entity.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_calendars",
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("mode IN ('calendar', 'manual')", name=op.f("ck_business_calendars_mode_known")),
        sa.PrimaryKeyConstraint("business_entity", name=op.f("pk_business_calendars")),
        schema="credit",
    )
    op.create_index(
        op.f("ix_customers_business_entity"), "customers", ["business_entity"], unique=False, schema="credit"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customers_business_entity"), table_name="customers", schema="credit")
    op.drop_table("business_calendars", schema="credit")
