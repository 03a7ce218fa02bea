"""red flag job retry: a failed red-flag job waits before its next attempt, longer each time

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "red_flag_jobs",
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        schema="collections",
    )


def downgrade() -> None:
    op.drop_column("red_flag_jobs", "retry_at", schema="collections")
