"""dunning charge documents: invoices of kind dunning_fee / late_interest, one per request id

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "invoices",
        sa.Column("document_kind", sa.Text(), server_default=sa.text("'invoice'"), nullable=False),
        schema="ledger",
    )
    op.add_column("invoices", sa.Column("charge_request_id", sa.Uuid(), nullable=True), schema="ledger")
    op.create_check_constraint(
        op.f("ck_invoices_document_kind_known"),
        "invoices",
        "document_kind IN ('invoice', 'dunning_fee', 'late_interest')",
        schema="ledger",
    )
    op.create_check_constraint(
        op.f("ck_invoices_charge_has_request"),
        "invoices",
        "(document_kind = 'invoice') = (charge_request_id IS NULL)",
        schema="ledger",
    )
    op.create_index(
        "uq_invoices_charge_request", "invoices", ["charge_request_id"], unique=True, schema="ledger"
    )


def downgrade() -> None:
    op.drop_index("uq_invoices_charge_request", table_name="invoices", schema="ledger")
    op.drop_constraint(op.f("ck_invoices_charge_has_request"), "invoices", schema="ledger", type_="check")
    op.drop_constraint(op.f("ck_invoices_document_kind_known"), "invoices", schema="ledger", type_="check")
    op.drop_column("invoices", "charge_request_id", schema="ledger")
    op.drop_column("invoices", "document_kind", schema="ledger")
