"""Credit policies editable: overdue-amount thresholds per currency, automatic holds on or off, versions.

The currency-less `max_overdue_amount` was read in each customer's own currency; it becomes a
threshold of the same figure in EUR, USD and GBP and in every currency a customer is billed in
today, so no customer's policy changes with the migration.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from ar_shared.money import currency_exponent

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "credit_policies",
        sa.Column("auto_hold", sa.Boolean(), server_default="true", nullable=False),
        schema="credit",
    )
    op.add_column(
        "credit_policies",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="credit",
    )
    op.create_table(
        "credit_policy_overdue_limits",
        sa.Column("risk_class", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("max_overdue_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "max_overdue_minor >= 0", name=op.f("ck_credit_policy_overdue_limits_max_overdue_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["risk_class"],
            ["credit.credit_policies.risk_class"],
            name=op.f("fk_credit_policy_overdue_limits_risk_class_credit_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("risk_class", "currency", name=op.f("pk_credit_policy_overdue_limits")),
        schema="credit",
    )
    connection = op.get_bind()
    policies = connection.execute(
        sa.text("SELECT risk_class, max_overdue_amount FROM credit.credit_policies")
    ).all()
    billed = connection.execute(sa.text("SELECT DISTINCT currency FROM credit.customers")).scalars().all()
    currencies = sorted({"EUR", "USD", "GBP", *billed})
    rows = []
    for risk_class, figure in policies:
        for currency in currencies:
            minor = Decimal(figure).scaleb(currency_exponent(currency)).to_integral_value()
            rows.append({"risk_class": risk_class, "currency": currency, "max_overdue_minor": int(minor)})
    if rows:
        connection.execute(
            sa.text(
                "INSERT INTO credit.credit_policy_overdue_limits (risk_class, currency, max_overdue_minor) "
                "VALUES (:risk_class, :currency, :max_overdue_minor)"
            ),
            rows,
        )
    op.drop_column("credit_policies", "max_overdue_amount", schema="credit")


def downgrade() -> None:
    op.add_column(
        "credit_policies",
        sa.Column("max_overdue_amount", sa.Text(), server_default="0", nullable=False),
        schema="credit",
    )
    op.execute(
        "UPDATE credit.credit_policies p"
        " SET max_overdue_amount = (l.max_overdue_minor / 100.0)::numeric(20, 2)::text"
        " FROM credit.credit_policy_overdue_limits l WHERE l.risk_class = p.risk_class AND l.currency = 'EUR'"
    )
    op.drop_table("credit_policy_overdue_limits", schema="credit")
    op.drop_column("credit_policies", "version", schema="credit")
    op.drop_column("credit_policies", "auto_hold", schema="credit")
