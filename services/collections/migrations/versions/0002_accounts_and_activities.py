"""Accounts (projected from the ledger) and collector activities.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:20:39.840084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("sales_rep", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_accounts")),
        schema="collections",
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('call', 'email', 'note', 'visit')", name=op.f("ck_activities_kind_known")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('reached', 'no_answer', 'left_voicemail', 'wrong_contact', "
            "'promised_to_pay', 'disputed', 'refused_to_pay', 'requested_copy', 'paid_already', "
            "'callback_requested')",
            name=op.f("ck_activities_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_activities_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        schema="collections",
    )
    op.create_index(
        "ix_activities_customer_occurred",
        "activities",
        ["customer_id", "occurred_at"],
        unique=False,
        schema="collections",
    )


def downgrade() -> None:
    op.drop_index("ix_activities_customer_occurred", table_name="activities", schema="collections")
    op.drop_table("activities", schema="collections")
    op.drop_table("accounts", schema="collections")
