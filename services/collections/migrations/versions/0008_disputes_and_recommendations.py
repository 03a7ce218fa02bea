"""dispute and deduction cases, their items and history; write-off and suspension recommendations;
escalations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# account tables: the same row-level security as part 1's (migration 0003)
ACCOUNT_TABLES = ("dispute_cases", "dispute_items", "dispute_history", "recommendations", "escalations")
ROW_LEVEL_SECURITY = [
    statement
    for table in ACCOUNT_TABLES
    for statement in (
        f"ALTER TABLE collections.{table} ENABLE ROW LEVEL SECURITY",
        # table names are the constants above
        f"CREATE POLICY portfolio_access ON collections.{table} "  # noqa: S608
        "USING ((SELECT collections.sees_all()) "
        "OR customer_id IN (SELECT a.customer_id FROM collections.accounts a))",
    )
]


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["customer_id"], ["collections.accounts.customer_id"], name=op.f(f"fk_{table}_customer_id_accounts")
    )


def upgrade() -> None:
    op.create_table(
        "dispute_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("root_cause_code", sa.Text(), nullable=True),
        sa.Column("owner_kind", sa.Text(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('dispute', 'deduction')", name=op.f("ck_dispute_cases_kind_known")),
        sa.CheckConstraint(
            "status IN ('open', 'under_review', 'resolved_valid', 'resolved_invalid', 'withdrawn')",
            name=op.f("ck_dispute_cases_status_known"),
        ),
        sa.CheckConstraint(
            "owner_kind IS NULL OR owner_kind IN ('collector', 'department')",
            name=op.f("ck_dispute_cases_owner_kind_known"),
        ),
        _account_fk("dispute_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_cases")),
        schema="collections",
    )
    op.create_index(
        "ix_dispute_cases_customer", "dispute_cases", ["customer_id", "opened_on"], schema="collections"
    )
    op.create_index("ix_dispute_cases_opened_on", "dispute_cases", ["opened_on"], schema="collections")
    op.create_table(
        "dispute_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("pause_id", sa.Uuid(), nullable=True),
        sa.Column("credit_request_id", sa.Uuid(), nullable=True),
        sa.Column("credit_memo_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_dispute_items_amount_positive")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["collections.dispute_cases.id"], name=op.f("fk_dispute_items_case_id_dispute_cases")
        ),
        _account_fk("dispute_items"),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["collections.open_items.invoice_id"],
            name=op.f("fk_dispute_items_invoice_id_open_items"),
        ),
        sa.ForeignKeyConstraint(
            ["pause_id"],
            ["collections.dunning_pauses.id"],
            name=op.f("fk_dispute_items_pause_id_dunning_pauses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_items")),
        schema="collections",
    )
    op.create_index(op.f("ix_dispute_items_case_id"), "dispute_items", ["case_id"], schema="collections")
    op.create_index("ix_dispute_items_invoice", "dispute_items", ["invoice_id"], schema="collections")
    op.create_index(
        "uq_dispute_items_credit_request",
        "dispute_items",
        ["credit_request_id"],
        unique=True,
        schema="collections",
        postgresql_where=sa.text("credit_request_id IS NOT NULL"),
    )
    op.create_table(
        "dispute_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["collections.dispute_cases.id"],
            name=op.f("fk_dispute_history_case_id_dispute_cases"),
        ),
        _account_fk("dispute_history"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_history")),
        schema="collections",
    )
    op.create_index(op.f("ix_dispute_history_case_id"), "dispute_history", ["case_id"], schema="collections")
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("recommended_by", sa.Text(), nullable=False),
        sa.Column("recommended_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('write_off', 'suspension')", name=op.f("ck_recommendations_kind_known")),
        sa.CheckConstraint(
            "source IN ('collector', 'strategy', 'short_payment')",
            name=op.f("ck_recommendations_source_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_recommendations_status_known")
        ),
        sa.CheckConstraint(
            "kind <> 'write_off' OR (invoice_id IS NOT NULL AND amount_minor > 0)",
            name=op.f("ck_recommendations_write_off_has_amount"),
        ),
        _account_fk("recommendations"),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["collections.open_items.invoice_id"],
            name=op.f("fk_recommendations_invoice_id_open_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        schema="collections",
    )
    op.create_index(
        "ix_recommendations_pending",
        "recommendations",
        ["recommended_on"],
        schema="collections",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_recommendations_customer", "recommendations", ["customer_id"], schema="collections")
    op.create_table(
        "escalations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("assignee", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("raised_by", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "level IN ('manager', 'department', 'legal', 'agency')", name=op.f("ck_escalations_level_known")
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_escalations_status_known")),
        sa.CheckConstraint(
            "(level = 'department') = (department IS NOT NULL)", name=op.f("ck_escalations_department_named")
        ),
        _account_fk("escalations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        schema="collections",
    )
    op.create_index(
        "ix_escalations_open",
        "escalations",
        ["due_on"],
        schema="collections",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_escalations_customer", "escalations", ["customer_id"], schema="collections")
    for statement in ROW_LEVEL_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("escalations", schema="collections")
    op.drop_table("recommendations", schema="collections")
    op.drop_table("dispute_history", schema="collections")
    op.drop_table("dispute_items", schema="collections")
    op.drop_table("dispute_cases", schema="collections")
