"""The time of the last event applied to each customer's exposure (the credit check reports it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "exposures", sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True), schema="credit"
    )


def downgrade() -> None:
    op.drop_column("exposures", "last_event_at", schema="credit")
