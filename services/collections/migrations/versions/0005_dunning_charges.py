"""dunning charges: fee schedule, late-interest terms and rates, charges requested

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# an account table: the same row-level security as part 1's (migration 0003)
ROW_LEVEL_SECURITY = [
    "ALTER TABLE collections.dunning_charges ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY portfolio_access ON collections.dunning_charges "
    "USING ((SELECT collections.sees_all()) "
    "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
]


def upgrade() -> None:
    op.create_table(
        "dunning_fees",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_dunning_fees_amount_positive")),
        sa.CheckConstraint("level >= 1", name=op.f("ck_dunning_fees_level_positive")),
        sa.PrimaryKeyConstraint("level", "currency", name=op.f("pk_dunning_fees")),
        schema="collections",
    )
    op.create_table(
        "late_interest_terms",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day_count", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "day_count IN ('act_365', 'act_360')", name=op.f("ck_late_interest_terms_day_count_known")
        ),
        sa.PrimaryKeyConstraint("currency", name=op.f("pk_late_interest_terms")),
        schema="collections",
    )
    op.create_table(
        "late_interest_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reference_rate_percent", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("margin_percent", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["currency"],
            ["collections.late_interest_terms.currency"],
            name=op.f("fk_late_interest_rates_currency_late_interest_terms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("currency", "effective_from", name=op.f("pk_late_interest_rates")),
        schema="collections",
    )
    op.create_table(
        "dunning_charges",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_dunning_charges_amount_positive")),
        sa.CheckConstraint("kind IN ('fee', 'interest')", name=op.f("ck_dunning_charges_kind_known")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_dunning_charges_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_dunning_charges")),
        schema="collections",
    )
    op.create_index(
        "ix_dunning_charges_customer",
        "dunning_charges",
        ["customer_id", "kind"],
        unique=False,
        schema="collections",
    )
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_dunning_charges_customer", table_name="dunning_charges", schema="collections")
    op.drop_table("dunning_charges", schema="collections")
    op.drop_table("late_interest_rates", schema="collections")
    op.drop_table("late_interest_terms", schema="collections")
    op.drop_table("dunning_fees", schema="collections")
