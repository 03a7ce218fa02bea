"""red flag jobs: the red-flag job of an entity for a business date, asked for by the close of
business and run by the worker after it commits

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "red_flag_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("raised", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'completed')", name=op.f("ck_red_flag_jobs_status_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag_jobs")),
        sa.UniqueConstraint("business_entity", "as_of", name=op.f("uq_red_flag_jobs_business_entity_as_of")),
        schema="collections",
    )
    # the worker looks for the pending ones
    op.create_index(
        "ix_red_flag_jobs_pending",
        "red_flag_jobs",
        ["business_entity", "as_of"],
        schema="collections",
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_red_flag_jobs_pending", table_name="red_flag_jobs", schema="collections")
    op.drop_table("red_flag_jobs", schema="collections")
