"""Holds of source `collections`: placed when a dunning step recommends one (CreditHoldRecommended).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("ck_credit_holds_source_known", "credit_holds", schema="credit", type_="check")
    op.create_check_constraint(
        "source_known", "credit_holds", "source IN ('policy', 'manual', 'collections')", schema="credit"
    )


def downgrade() -> None:
    op.execute("DELETE FROM credit.credit_holds WHERE source = 'collections'")
    op.drop_constraint("ck_credit_holds_source_known", "credit_holds", schema="credit", type_="check")
    op.create_check_constraint(
        "source_known", "credit_holds", "source IN ('policy', 'manual')", schema="credit"
    )
