"""Invoice projection, exposures, credit profiles, policies (with defaults) and orders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 01:00:29.159012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_policies",
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("max_days_past_due", sa.Integer(), nullable=False),
        sa.Column("max_overdue_amount", sa.Text(), nullable=False),
        sa.Column("over_limit_tolerance_bp", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("max_days_past_due >= 0", name=op.f("ck_credit_policies_dpd_not_negative")),
        sa.CheckConstraint(
            "over_limit_tolerance_bp >= 0", name=op.f("ck_credit_policies_tolerance_not_negative")
        ),
        sa.PrimaryKeyConstraint("risk_class", name=op.f("pk_credit_policies")),
        schema="credit",
    )
    op.create_table(
        "credit_profiles",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "risk_class IN ('low', 'medium', 'high', 'very_high')",
            name=op.f("ck_credit_profiles_risk_class_known"),
        ),
        sa.CheckConstraint("limit_minor >= 0", name=op.f("ck_credit_profiles_limit_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_credit_profiles_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_credit_profiles")),
        schema="credit",
    )
    op.create_table(
        "exposures",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("open_ar_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unapplied_cash_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unapplied_credits_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("open_orders_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("disputed_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_exposures_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_exposures")),
        schema="credit",
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("disputed_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("order_reference", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_invoices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        schema="credit",
    )
    op.create_index(
        "ix_invoices_customer_open_due",
        "invoices",
        ["customer_id", "due_date"],
        unique=False,
        schema="credit",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.create_table(
        "orders",
        sa.Column("order_reference", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reason_codes", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("override_by", sa.Text(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('approved', 'refused', 'released', 'cancelled', 'invoiced')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_orders_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["credit.customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("order_reference", name=op.f("pk_orders")),
        schema="credit",
    )
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False, schema="credit")

    # defaults a credit manager tunes later (PUT /v1/credit-policies/{risk_class})
    policies = sa.table(
        "credit_policies",
        sa.column("risk_class", sa.Text),
        sa.column("max_days_past_due", sa.Integer),
        sa.column("max_overdue_amount", sa.Text),
        sa.column("over_limit_tolerance_bp", sa.Integer),
        sa.column("updated_by", sa.Text),
        schema="credit",
    )
    op.bulk_insert(
        policies,
        [
            {
                "risk_class": "low",
                "max_days_past_due": 60,
                "max_overdue_amount": "50000.00",
                "over_limit_tolerance_bp": 1000,
                "updated_by": "migration",
            },
            {
                "risk_class": "medium",
                "max_days_past_due": 45,
                "max_overdue_amount": "20000.00",
                "over_limit_tolerance_bp": 500,
                "updated_by": "migration",
            },
            {
                "risk_class": "high",
                "max_days_past_due": 30,
                "max_overdue_amount": "5000.00",
                "over_limit_tolerance_bp": 0,
                "updated_by": "migration",
            },
            {
                "risk_class": "very_high",
                "max_days_past_due": 15,
                "max_overdue_amount": "1000.00",
                "over_limit_tolerance_bp": 0,
                "updated_by": "migration",
            },
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_orders_customer_id"), table_name="orders", schema="credit")
    op.drop_table("orders", schema="credit")
    op.drop_index(
        "ix_invoices_customer_open_due",
        table_name="invoices",
        schema="credit",
        postgresql_where=sa.text("open_minor > 0"),
    )
    op.drop_table("invoices", schema="credit")
    op.drop_table("exposures", schema="credit")
    op.drop_table("credit_profiles", schema="credit")
    op.drop_table("credit_policies", schema="credit")
