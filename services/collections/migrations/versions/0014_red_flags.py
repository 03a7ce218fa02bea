"""red flags: each (customer, kind, occurrence) raised once, with its evidence and escalation

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# an account table: the same row-level security as part 1's (migration 0003)
ROW_LEVEL_SECURITY = (
    "ALTER TABLE collections.red_flags ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY portfolio_access ON collections.red_flags "
    "USING ((SELECT collections.sees_all()) "
    "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
)


def upgrade() -> None:
    op.create_table(
        "red_flags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("escalation_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('add_rising', 'bounced_payment', 'broken_promises', 'credit_use')",
            name=op.f("ck_red_flags_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_red_flags_customer_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["collections.escalations.id"],
            name=op.f("fk_red_flags_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flags")),
        sa.UniqueConstraint(
            "customer_id", "kind", "occurrence", name=op.f("uq_red_flags_customer_id_kind_occurrence")
        ),
        schema="collections",
    )
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("red_flags", schema="collections")
