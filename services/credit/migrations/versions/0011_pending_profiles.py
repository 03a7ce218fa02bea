"""Credit profiles for customers not seen yet (by ledger id or ERP id); customers found by ERP id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00
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
        "pending_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("attached_to", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(customer_id IS NULL) <> (external_id IS NULL)", name=op.f("ck_pending_profiles_one_key")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'attached', 'refused')", name=op.f("ck_pending_profiles_status_known")
        ),
        sa.CheckConstraint("limit_minor >= 0", name=op.f("ck_pending_profiles_limit_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_profiles")),
        schema="credit",
    )
    op.create_index(
        "ux_pending_profiles_customer", "pending_profiles", ["customer_id"], unique=True, schema="credit",
        postgresql_where=sa.text("status = 'pending'"),
    )  # fmt: skip
    op.create_index(
        "ux_pending_profiles_external", "pending_profiles", ["external_id"], unique=True, schema="credit",
        postgresql_where=sa.text("status = 'pending'"),
    )  # fmt: skip
    op.create_index(
        op.f("ix_customers_external_id"), "customers", ["external_id"], unique=False, schema="credit"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customers_external_id"), table_name="customers", schema="credit")
    op.drop_table("pending_profiles", schema="credit")
