"""credit profile risk class version: the credit profile version that set an account's risk class
(`CreditRiskClassChanged`), so an older change arriving late never overwrites a newer one

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 05:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "credit_profiles",
        sa.Column("risk_class_version", sa.Integer(), nullable=True),
        schema="collections",
    )


def downgrade() -> None:
    op.drop_column("credit_profiles", "risk_class_version", schema="collections")
