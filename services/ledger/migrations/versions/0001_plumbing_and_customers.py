"""Plumbing tables (outbox, inbox, idempotency keys, audit log) and customers.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ar_shared.plumbing_migrations import create_plumbing_v1, drop_plumbing_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "ledger"


def upgrade() -> None:
    create_plumbing_v1(SCHEMA, "ar_ledger_app")
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("sales_rep", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("payment_terms_days >= 0", name="ck_customers_payment_terms_not_negative"),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_customers_currency_iso4217"),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("external_id", name="uq_customers_external_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_customers_business_entity", "customers", ["business_entity"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("customers", schema=SCHEMA)
    drop_plumbing_v1(SCHEMA)
