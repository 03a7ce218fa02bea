"""What the credit service knows of each customer's receivables, kept from ledger events."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_credit.models.base import Base


class CreditInvoice(Base):
    """One open (or closed) invoice: its open balance comes from the ledger's events."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index(
            "ix_invoices_customer_open_due",
            "customer_id",
            "due_date",
            postgresql_where=text("open_minor > 0"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    invoice_number: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open_minor: Mapped[int] = mapped_column(BigInteger)
    disputed_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    due_date: Mapped[date] = mapped_column(Date)
    order_reference: Mapped[str | None] = mapped_column(Text)


class CreditExposure(Base):
    """Running balances per customer, in the customer's currency (open AR is the sum of invoices)."""

    __tablename__ = "exposures"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    open_ar_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    unapplied_cash_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    unapplied_credits_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    open_orders_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    disputed_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # the `time` of the latest event applied for the customer: exposure is the ledger as of then
    last_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CreditProfile(Base):
    __tablename__ = "credit_profiles"
    __table_args__ = (
        CheckConstraint("limit_minor >= 0", name="limit_not_negative"),
        CheckConstraint("risk_class IN ('low', 'medium', 'high', 'very_high')", name="risk_class_known"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    risk_class: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CreditPolicy(Base):
    """When the policy places and releases holds, per risk class."""

    __tablename__ = "credit_policies"
    __table_args__ = (
        CheckConstraint("max_days_past_due >= 0", name="dpd_not_negative"),
        CheckConstraint("over_limit_tolerance_bp >= 0", name="tolerance_not_negative"),
    )

    risk_class: Mapped[str] = mapped_column(Text, primary_key=True)
    max_days_past_due: Mapped[int] = mapped_column()
    # in the customer's currency, as a decimal string ("5000.00"): amounts are per customer
    max_overdue_amount: Mapped[str] = mapped_column(Text)
    over_limit_tolerance_bp: Mapped[int] = mapped_column(doc="basis points over the limit before a hold")
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CreditOrder(Base):
    """A sales order the order system asked about; approved ones count as open orders."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('approved', 'refused', 'released', 'cancelled', 'invoiced')", name="status_known"
        ),
    )

    order_reference: Mapped[str] = mapped_column(Text, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(Text)
    reason_codes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CreditDispute(Base):
    """An open or resolved dispute (from collections): open ones can be left out of exposure."""

    __tablename__ = "disputes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open: Mapped[bool] = mapped_column(default=True)
