"""Credit holds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "credit"


def upgrade() -> None:
    op.create_table(
        "credit_holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.Text(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("released_by", sa.Text(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("source IN ('policy', 'manual')", name="ck_credit_holds_source_known"),
        sa.CheckConstraint("status IN ('active', 'released')", name="ck_credit_holds_status_known"),
        sa.CheckConstraint(
            "(status = 'active') = (released_at IS NULL)",
            name="ck_credit_holds_released_hold_has_release_time",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name="fk_credit_holds_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credit_holds"),
        schema=SCHEMA,
    )
    op.create_index("ix_credit_holds_customer_id", "credit_holds", ["customer_id"], schema=SCHEMA)
    op.create_index(
        "ux_credit_holds_active",
        "credit_holds",
        ["customer_id", "source", "reason_code"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'active'"),
    )


def downgrade() -> None:
    op.drop_table("credit_holds", schema=SCHEMA)
