"""Deliveries keep the customer's business entity (from `NotificationRequested`, else the entity
notifications knows for the customer), so a support analyst filters the delivery log by entity;
the log is read newest first, the whole of it or one entity's.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "deliveries", sa.Column("business_entity", sa.Text(), nullable=True), schema="notifications"
    )
    # the messages already sent: the entity their customer is in now
    op.execute(
        "UPDATE notifications.deliveries AS d SET business_entity = c.business_entity "
        "FROM notifications.contacts AS c WHERE c.customer_id = d.customer_id"
    )
    op.create_index(
        "ix_deliveries_created", "deliveries", ["created_at", "id"], unique=False, schema="notifications"
    )
    op.create_index(
        "ix_deliveries_entity_created", "deliveries", ["business_entity", "created_at", "id"], unique=False,
        schema="notifications",
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_deliveries_entity_created", table_name="deliveries", schema="notifications")
    op.drop_index("ix_deliveries_created", table_name="deliveries", schema="notifications")
    op.drop_column("deliveries", "business_entity", schema="notifications")
