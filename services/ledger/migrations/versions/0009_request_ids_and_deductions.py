"""Request ids on credit memos (the CreditMemoRequested they answer) and write-offs (the approved
recommendation they carry out, once); a deduction reason on applications.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("credit_memos", sa.Column("request_id", sa.Uuid(), nullable=True), schema="ledger")
    op.add_column("credit_memos", sa.Column("dispute_id", sa.Uuid(), nullable=True), schema="ledger")
    op.create_index(
        "uq_credit_memos_request",
        "credit_memos",
        ["request_id"],
        unique=True,
        schema="ledger",
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    op.add_column("write_offs", sa.Column("request_id", sa.Uuid(), nullable=True), schema="ledger")
    op.create_index(
        "uq_write_offs_request",
        "write_offs",
        ["request_id"],
        unique=True,
        schema="ledger",
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    op.add_column("applications", sa.Column("deduction_reason", sa.Text(), nullable=True), schema="ledger")


def downgrade() -> None:
    op.drop_column("applications", "deduction_reason", schema="ledger")
    op.drop_index("uq_write_offs_request", table_name="write_offs", schema="ledger")
    op.drop_column("write_offs", "request_id", schema="ledger")
    op.drop_index("uq_credit_memos_request", table_name="credit_memos", schema="ledger")
    op.drop_column("credit_memos", "dispute_id", schema="ledger")
    op.drop_column("credit_memos", "request_id", schema="ledger")
