"""A sequence on applications: the order they were made in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:40:31.286104
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "applications",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        schema="ledger",
    )
    op.create_unique_constraint(op.f("uq_applications_seq"), "applications", ["seq"], schema="ledger")


def downgrade() -> None:
    op.drop_constraint(op.f("uq_applications_seq"), "applications", schema="ledger", type_="unique")
    op.drop_column("applications", "seq", schema="ledger")
