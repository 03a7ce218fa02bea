"""Business dates per business entity: time zone, set by hand or by the calendar, last day closed;
invoices found by their void date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_dates",
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("manual_date", sa.Date(), nullable=True),
        sa.Column("last_closed", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("mode IN ('calendar', 'manual')", name=op.f("ck_business_dates_mode_known")),
        sa.CheckConstraint(
            "(mode = 'manual') = (manual_date IS NOT NULL)",
            name=op.f("ck_business_dates_manual_mode_has_a_date"),
        ),
        sa.PrimaryKeyConstraint("business_entity", name=op.f("pk_business_dates")),
        schema="ledger",
    )
    # the close of business looks for invoices voided after a day; voids are rare, the index small
    op.create_index(
        "ix_invoices_voided_on", "invoices", ["voided_on"], unique=False, schema="ledger",
        postgresql_where=sa.text("voided_on IS NOT NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_invoices_voided_on", table_name="invoices", schema="ledger")
    op.drop_table("business_dates", schema="ledger")
