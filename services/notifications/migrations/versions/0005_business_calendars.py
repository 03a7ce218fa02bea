"""Contacts know their customer's business entity; entities' calendars from BusinessDateChanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("business_entity", sa.Text(), nullable=True), schema="notifications")
    op.create_table(
        "business_calendars",
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("business_entity", name=op.f("pk_business_calendars")),
        schema="notifications",
    )


def downgrade() -> None:
    op.drop_table("business_calendars", schema="notifications")
    op.drop_column("contacts", "business_entity", schema="notifications")
