"""Refunds: money paid back out of unapplied cash or an unapplied credit memo.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("source_kind", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("refund_date", sa.Date(), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refunds_amount_positive")),
        sa.CheckConstraint("source_kind IN ('payment', 'credit_memo')", name=op.f("ck_refunds_source_known")),
        sa.CheckConstraint(
            "status IN ('pending_approval', 'issued', 'rejected')", name=op.f("ck_refunds_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_refunds_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        schema="ledger",
    )
    op.create_index("ix_refunds_source", "refunds", ["source_id"], unique=False, schema="ledger")
    op.create_index(
        "ix_refunds_customer", "refunds", ["customer_id", "refund_date"], unique=False, schema="ledger"
    )


def downgrade() -> None:
    op.drop_index("ix_refunds_customer", table_name="refunds", schema="ledger")
    op.drop_index("ix_refunds_source", table_name="refunds", schema="ledger")
    op.drop_table("refunds", schema="ledger")
