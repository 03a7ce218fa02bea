"""partial credits and document deletions: the credit a valid resolution grants per disputed item
(at most its disputed amount; the rest goes back into dunning), and the soft deletion of an
evidence document (who, when, why; the bytes are kept)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "dispute_items", sa.Column("credit_minor", sa.BigInteger(), nullable=True), schema="collections"
    )
    op.create_check_constraint(
        op.f("ck_dispute_items_credit_within_disputed"), "dispute_items",
        "credit_minor IS NULL OR (credit_minor >= 0 AND credit_minor <= amount_minor)", schema="collections",
    )  # fmt: skip
    op.add_column(
        "documents", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True), schema="collections"
    )
    op.add_column("documents", sa.Column("deleted_by", sa.Text(), nullable=True), schema="collections")
    op.add_column("documents", sa.Column("deletion_reason", sa.Text(), nullable=True), schema="collections")
    op.create_check_constraint(
        op.f("ck_documents_deletion_complete"), "documents",
        "(deleted_at IS NULL) = (deleted_by IS NULL) AND (deleted_at IS NULL) = (deletion_reason IS NULL)",
        schema="collections",
    )  # fmt: skip


def downgrade() -> None:
    op.drop_constraint(op.f("ck_documents_deletion_complete"), "documents", schema="collections")
    op.drop_column("documents", "deletion_reason", schema="collections")
    op.drop_column("documents", "deleted_by", schema="collections")
    op.drop_column("documents", "deleted_at", schema="collections")
    op.drop_constraint(op.f("ck_dispute_items_credit_within_disputed"), "dispute_items", schema="collections")
    op.drop_column("dispute_items", "credit_minor", schema="collections")
