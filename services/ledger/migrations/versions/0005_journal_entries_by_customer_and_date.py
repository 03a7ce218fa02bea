"""Journal entries indexed by (customer, effective date) for statements; the unused document index goes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:19:23.441805
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_journal_entries_customer_id"), table_name="journal_entries", schema="ledger")
    op.drop_index(op.f("ix_journal_entries_document_id"), table_name="journal_entries", schema="ledger")
    op.create_index(
        "ix_journal_entries_customer_effective",
        "journal_entries",
        ["customer_id", "effective_date"],
        unique=False,
        schema="ledger",
    )


def downgrade() -> None:
    op.drop_index("ix_journal_entries_customer_effective", table_name="journal_entries", schema="ledger")
    op.create_index(
        op.f("ix_journal_entries_document_id"),
        "journal_entries",
        ["document_id"],
        unique=False,
        schema="ledger",
    )
    op.create_index(
        op.f("ix_journal_entries_customer_id"),
        "journal_entries",
        ["customer_id"],
        unique=False,
        schema="ledger",
    )
