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
    over_limit_tolerance_bp: Mapped[int] = mapped_column(doc="basis points over the limit before a hold")
    # off: the policy places no hold for this class (and lifts those it placed); manual holds stay
    auto_hold: Mapped[bool] = mapped_column(default=True, server_default="true")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CreditPolicyOverdueLimit(Base):
    """A policy's overdue-amount threshold in one currency (customers billed in a currency
    without one have no overdue-amount threshold)."""

    __tablename__ = "credit_policy_overdue_limits"
    __table_args__ = (CheckConstraint("max_overdue_minor >= 0", name="max_overdue_not_negative"),)

    risk_class: Mapped[str] = mapped_column(
        ForeignKey("credit_policies.risk_class", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    max_overdue_minor: Mapped[int] = mapped_column(BigInteger)


class CreditOrder(Base):
    """A sales order the order system asked about; approved ones count as open orders."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('approved', 'refused', 'released', 'cancelled', 'invoiced')", name="status_known"
        ),
        # the blocked-order queue: by status, oldest first
        Index("ix_orders_status_created", "status", "created_at", "order_reference"),
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
    business_date: Mapped[date] = mapped_column(
        Date, doc="the business date of the customer's entity it was decided on"
    )
    # stamped by the service with its clock (every change of an order sets updated_at); no
    # onupdate: with a clock standing still the value would not change, the database's now() would
    # be written instead and the attribute expired, to be loaded lazily (impossible in async code)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CreditDispute(Base):
    """An open or resolved dispute (from collections): open ones can be left out of exposure."""

    __tablename__ = "disputes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open: Mapped[bool] = mapped_column(default=True)
