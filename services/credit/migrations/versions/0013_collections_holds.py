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


# 0003 named the old constraint `ck_credit_holds_source_known` without op.f(), so the naming
# convention made it `ck_credit_holds_ck_credit_holds_source_known`: the same unmarked name finds
# it again; the new one is named as the model names it (`ck_credit_holds_source_known`).
OLD = "ck_credit_holds_source_known"


def upgrade() -> None:
    op.drop_constraint(OLD, "credit_holds", schema="credit", type_="check")
    op.create_check_constraint(
        "source_known", "credit_holds", "source IN ('policy', 'manual', 'collections')", schema="credit"
    )


def downgrade() -> None:
    # the holds stay in force (a manager releases them): they become manual ones
    op.execute("UPDATE credit.credit_holds SET source = 'manual' WHERE source = 'collections'")
    op.drop_constraint(op.f("ck_credit_holds_source_known"), "credit_holds", schema="credit", type_="check")
    op.create_check_constraint(OLD, "credit_holds", "source IN ('policy', 'manual')", schema="credit")
