"""Credit limit changes waiting for a second manager.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 01:05:39.415071
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "limit_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("current_limit_minor", sa.BigInteger(), nullable=True),
        sa.Column("requested_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_limit_requests_status_known")
        ),
        sa.CheckConstraint("requested_limit_minor >= 0", name=op.f("ck_limit_requests_limit_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_limit_requests_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_requests")),
        schema="credit",
    )
    op.create_index(
        op.f("ix_limit_requests_customer_id"),
        "limit_requests",
        ["customer_id"],
        unique=False,
        schema="credit",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_limit_requests_customer_id"), table_name="limit_requests", schema="credit")
    op.drop_table("limit_requests", schema="credit")
