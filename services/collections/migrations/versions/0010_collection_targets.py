"""collection targets

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_targets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("scope_key", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("period_kind", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_collection_targets_amount_positive")),
        sa.CheckConstraint(
            "period_kind IN ('month', 'quarter', 'year')",
            name=op.f("ck_collection_targets_period_kind_known"),
        ),
        sa.CheckConstraint(
            "scope IN ('collector', 'team', 'portfolio')", name=op.f("ck_collection_targets_scope_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_targets")),
        sa.UniqueConstraint(
            "scope",
            "scope_key",
            "period",
            "currency",
            name=op.f("uq_collection_targets_scope_scope_key_period_currency"),
        ),
        schema="collections",
    )


def downgrade() -> None:
    op.drop_table("collection_targets", schema="collections")
