"""Deliveries keep what a printed letter needs besides its rendered content: the version of the
template it was rendered from (0: the shipped default) and the id of the request that asked for
it (collections' `NotificationRequested.request_id`), so a letter is found from the dunning step
that sent it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "deliveries", sa.Column("template_version", sa.Integer(), nullable=True), schema="notifications"
    )
    op.add_column("deliveries", sa.Column("request_id", sa.Uuid(), nullable=True), schema="notifications")
    op.create_index(
        op.f("ix_deliveries_request_id"), "deliveries", ["request_id"], schema="notifications",
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        op.f("ix_deliveries_customer_letters"), "deliveries", ["customer_id", "id"], schema="notifications",
        postgresql_where=sa.text("channel = 'email'"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_customer_letters"), table_name="deliveries", schema="notifications")
    op.drop_index(op.f("ix_deliveries_request_id"), table_name="deliveries", schema="notifications")
    op.drop_column("deliveries", "request_id", schema="notifications")
    op.drop_column("deliveries", "template_version", schema="notifications")
