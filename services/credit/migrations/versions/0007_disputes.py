"""Disputes projected from collections, so disputed amounts can be left out of exposure.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 01:10:51.261107
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
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_disputes_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        schema="credit",
    )
    op.create_index(
        op.f("ix_disputes_customer_id"), "disputes", ["customer_id"], unique=False, schema="credit"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_disputes_customer_id"), table_name="disputes", schema="credit")
    op.drop_table("disputes", schema="credit")
