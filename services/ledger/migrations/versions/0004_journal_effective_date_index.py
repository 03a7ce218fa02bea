"""Index journal entries by effective date: reports check it to take the incremental fast path.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:48:48.347860
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_journal_entries_effective_date"),
        "journal_entries",
        ["effective_date"],
        unique=False,
        schema="ledger",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_journal_entries_effective_date"), table_name="journal_entries", schema="ledger")
