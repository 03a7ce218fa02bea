"""Deliveries keep the Message-ID of their e-mail, so bounce reports can name the message.

E-mails sent before this revision carried `<delivery id@ar-platform>`: they get exactly that, so
late bounces of old messages still find their delivery. Webhooks have no Message-ID.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:35:03.075322
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("message_id", sa.Text(), nullable=True), schema="notifications")
    op.execute(
        "UPDATE notifications.deliveries SET message_id = '<' || id || '@ar-platform>' "
        "WHERE channel = 'email'"
    )
    op.create_unique_constraint(
        op.f("uq_deliveries_message_id"), "deliveries", ["message_id"], schema="notifications"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_deliveries_message_id"), "deliveries", schema="notifications", type_="unique")
    op.drop_column("deliveries", "message_id", schema="notifications")
