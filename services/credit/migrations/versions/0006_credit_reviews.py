"""Completed credit reviews with their factors.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 01:07:43.251518
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("financials", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("factors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recommended_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_credit_reviews_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_reviews")),
        schema="credit",
    )
    op.create_index(
        op.f("ix_credit_reviews_customer_id"),
        "credit_reviews",
        ["customer_id"],
        unique=False,
        schema="credit",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_credit_reviews_customer_id"), table_name="credit_reviews", schema="credit")
    op.drop_table("credit_reviews", schema="credit")
