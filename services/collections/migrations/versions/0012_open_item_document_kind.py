"""open items: the document kind (invoice, dunning fee, late interest)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "open_items",
        sa.Column("document_kind", sa.Text(), server_default=sa.text("'invoice'"), nullable=False),
        schema="collections",
    )


def downgrade() -> None:
    op.drop_column("open_items", "document_kind", schema="collections")
