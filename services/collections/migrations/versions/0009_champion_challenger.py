"""champion / challenger experiments

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# an account's arm is about the account: the same row-level security as part 1's (migration 0003)
ROW_LEVEL_SECURITY = (
    "ALTER TABLE collections.experiment_accounts ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY portfolio_access ON collections.experiment_accounts "
    "USING ((SELECT collections.sees_all()) "
    "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
)


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=True),
        sa.Column("segment_id", sa.Uuid(), nullable=True),
        sa.Column("segment_name", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("promoted_arm", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("ended_by", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'ended')", name=op.f("ck_experiments_status_known")),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["collections.strategy_segments.id"],
            name=op.f("fk_experiments_segment_id_strategy_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        schema="collections",
    )
    op.create_index(
        "uq_experiments_running_segment",
        "experiments",
        ["segment_id"],
        unique=True,
        schema="collections",
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_table(
        "experiment_arms",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("strategy_name", sa.Text(), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("champion", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "share_bp > 0 AND share_bp <= 10000", name=op.f("ck_experiment_arms_share_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["collections.experiments.id"],
            name=op.f("fk_experiment_arms_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("experiment_id", "name", name=op.f("pk_experiment_arms")),
        schema="collections",
    )
    op.create_table(
        "experiment_accounts",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("arm", sa.Text(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_experiment_accounts_customer_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["collections.experiments.id"],
            name=op.f("fk_experiment_accounts_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("experiment_id", "customer_id", name=op.f("pk_experiment_accounts")),
        schema="collections",
    )
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("experiment_accounts", schema="collections")
    op.drop_table("experiment_arms", schema="collections")
    op.drop_index("uq_experiments_running_segment", table_name="experiments", schema="collections")
    op.drop_table("experiments", schema="collections")
