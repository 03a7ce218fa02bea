"""Suppression list.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "notifications"


def upgrade() -> None:
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("address = lower(address)", name="ck_suppressions_address_lower_case"),
        sa.CheckConstraint(
            "reason IN ('hard_bounce', 'complaint', 'unsubscribed', 'do_not_contact', 'legal')",
            name="ck_suppressions_reason_known",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_suppressions"),
        sa.UniqueConstraint("address", name="uq_suppressions_address"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("suppressions", schema=SCHEMA)
