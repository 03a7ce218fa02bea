"""Invoices, payments, credit memos, write-offs, applications, the journal and past-due state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:33:26.386406
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("order_reference", sa.Text(), nullable=True),
        sa.Column("po_number", sa.Text(), nullable=True),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'void', 'written_off')", name=op.f("ck_invoices_status_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_invoices_amount_positive")),
        sa.CheckConstraint("due_date >= issue_date", name=op.f("ck_invoices_due_not_before_issue")),
        sa.CheckConstraint(
            "open_minor >= 0 AND open_minor <= amount_minor", name=op.f("ck_invoices_open_within_amount")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_invoices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        schema="ledger",
    )
    op.create_index(
        "ix_invoices_customer_due", "invoices", ["customer_id", "due_date"], unique=False, schema="ledger"
    )
    op.create_index(
        "ix_invoices_open_due",
        "invoices",
        ["due_date"],
        unique=False,
        schema="ledger",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.create_index(
        "uq_invoices_entity_number",
        "invoices",
        ["business_entity", "invoice_number"],
        unique=True,
        schema="ledger",
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_journal_entries_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        schema="ledger",
    )
    op.create_index(
        op.f("ix_journal_entries_customer_id"),
        "journal_entries",
        ["customer_id"],
        unique=False,
        schema="ledger",
    )
    op.create_index(
        op.f("ix_journal_entries_document_id"),
        "journal_entries",
        ["document_id"],
        unique=False,
        schema="ledger",
    )
    op.create_table(
        "past_due_states",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("bucket_index", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_past_due_states_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_past_due_states")),
        schema="ledger",
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("remittance_reference", sa.Text(), nullable=True),
        sa.Column("external_reference", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('posted', 'reversed')", name=op.f("ck_payments_status_known")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor",
            name=op.f("ck_payments_unapplied_within_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_payments_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        schema="ledger",
    )
    op.create_index(
        "ix_payments_customer", "payments", ["customer_id", "received_on"], unique=False, schema="ledger"
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("source_kind", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "source_kind IN ('payment', 'credit_memo', 'write_off')",
            name=op.f("ck_applications_source_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_applications_amount_positive")),
        sa.CheckConstraint(
            "reversed_on IS NULL OR reversed_on >= effective_date",
            name=op.f("ck_applications_reversal_after_effect"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_applications_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["ledger.invoices.id"], name=op.f("fk_applications_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        schema="ledger",
    )
    op.create_index(
        op.f("ix_applications_customer_id"), "applications", ["customer_id"], unique=False, schema="ledger"
    )
    op.create_index(
        "ix_applications_invoice",
        "applications",
        ["invoice_id", "effective_date"],
        unique=False,
        schema="ledger",
    )
    op.create_index("ix_applications_source", "applications", ["source_id"], unique=False, schema="ledger")
    op.create_table(
        "credit_memos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("business_entity", sa.Text(), nullable=False),
        sa.Column("memo_number", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_credit_memos_amount_positive")),
        sa.CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor",
            name=op.f("ck_credit_memos_unapplied_within_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_credit_memos_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["ledger.invoices.id"], name=op.f("fk_credit_memos_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_memos")),
        schema="ledger",
    )
    op.create_index(
        op.f("ix_credit_memos_customer_id"), "credit_memos", ["customer_id"], unique=False, schema="ledger"
    )
    op.create_index(
        "uq_credit_memos_entity_number",
        "credit_memos",
        ["business_entity", "memo_number"],
        unique=True,
        schema="ledger",
    )
    op.create_table(
        "journal_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debit_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(debit_minor > 0 AND credit_minor = 0) OR (credit_minor > 0 AND debit_minor = 0)",
            name=op.f("ck_journal_lines_one_side_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger.journal_entries.id"],
            name=op.f("fk_journal_lines_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_lines")),
        schema="ledger",
    )
    op.create_index(
        "ix_journal_lines_customer_account",
        "journal_lines",
        ["customer_id", "account"],
        unique=False,
        schema="ledger",
    )
    op.create_index("ix_journal_lines_entry", "journal_lines", ["entry_id"], unique=False, schema="ledger")
    op.create_table(
        "write_offs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_write_offs_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger.customers.id"], name=op.f("fk_write_offs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["ledger.invoices.id"], name=op.f("fk_write_offs_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_offs")),
        schema="ledger",
    )
    op.create_index(
        op.f("ix_write_offs_customer_id"), "write_offs", ["customer_id"], unique=False, schema="ledger"
    )
    op.create_index(
        op.f("ix_write_offs_invoice_id"), "write_offs", ["invoice_id"], unique=False, schema="ledger"
    )
    op.add_column(
        "customers",
        sa.Column("open_ar_minor", sa.BigInteger(), server_default="0", nullable=False),
        schema="ledger",
    )
    op.add_column(
        "customers",
        sa.Column("unapplied_cash_minor", sa.BigInteger(), server_default="0", nullable=False),
        schema="ledger",
    )
    op.add_column(
        "customers",
        sa.Column("unapplied_credits_minor", sa.BigInteger(), server_default="0", nullable=False),
        schema="ledger",
    )


def downgrade() -> None:
    op.drop_column("customers", "unapplied_credits_minor", schema="ledger")
    op.drop_column("customers", "unapplied_cash_minor", schema="ledger")
    op.drop_column("customers", "open_ar_minor", schema="ledger")
    op.drop_index(op.f("ix_write_offs_invoice_id"), table_name="write_offs", schema="ledger")
    op.drop_index(op.f("ix_write_offs_customer_id"), table_name="write_offs", schema="ledger")
    op.drop_table("write_offs", schema="ledger")
    op.drop_index("ix_journal_lines_entry", table_name="journal_lines", schema="ledger")
    op.drop_index("ix_journal_lines_customer_account", table_name="journal_lines", schema="ledger")
    op.drop_table("journal_lines", schema="ledger")
    op.drop_index("uq_credit_memos_entity_number", table_name="credit_memos", schema="ledger")
    op.drop_index(op.f("ix_credit_memos_customer_id"), table_name="credit_memos", schema="ledger")
    op.drop_table("credit_memos", schema="ledger")
    op.drop_index("ix_applications_source", table_name="applications", schema="ledger")
    op.drop_index("ix_applications_invoice", table_name="applications", schema="ledger")
    op.drop_index(op.f("ix_applications_customer_id"), table_name="applications", schema="ledger")
    op.drop_table("applications", schema="ledger")
    op.drop_index("ix_payments_customer", table_name="payments", schema="ledger")
    op.drop_table("payments", schema="ledger")
    op.drop_table("past_due_states", schema="ledger")
    op.drop_index(op.f("ix_journal_entries_document_id"), table_name="journal_entries", schema="ledger")
    op.drop_index(op.f("ix_journal_entries_customer_id"), table_name="journal_entries", schema="ledger")
    op.drop_table("journal_entries", schema="ledger")
    op.drop_index("uq_invoices_entity_number", table_name="invoices", schema="ledger")
    op.drop_index(
        "ix_invoices_open_due",
        table_name="invoices",
        schema="ledger",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.drop_index("ix_invoices_customer_due", table_name="invoices", schema="ledger")
    op.drop_table("invoices", schema="ledger")
