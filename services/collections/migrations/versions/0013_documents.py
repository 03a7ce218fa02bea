"""documents: the evidence files (purchase orders, proofs of delivery, signed plans) attached to a
dispute case, a promise, a payment plan or an activity, stored with their SHA-256

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# an account table: the same row-level security as part 1's (migration 0003)
ROW_LEVEL_SECURITY = (
    "ALTER TABLE collections.documents ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY portfolio_access ON collections.documents "
    "USING ((SELECT collections.sees_all()) "
    "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("owner_kind", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "owner_kind IN ('dispute', 'promise', 'plan', 'activity')",
            name=op.f("ck_documents_owner_kind_known"),
        ),
        sa.CheckConstraint(
            "size_bytes > 0 AND size_bytes = octet_length(content)", name=op.f("ck_documents_size_is_content")
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_documents_sha256_hex")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["collections.accounts.customer_id"],
            name=op.f("fk_documents_customer_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        schema="collections",
    )
    op.create_index(
        "ix_documents_customer", "documents", ["customer_id", "uploaded_at"], schema="collections"
    )
    op.create_index("ix_documents_owner", "documents", ["owner_kind", "owner_id"], schema="collections")
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("documents", schema="collections")
