"""Promises to pay and payment plans: what they cover, their instalments, how they were judged;
and the cash applied to each item (projected from the ledger), which they are judged from."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

PROMISE_STATUSES = ("open", "kept", "partially_kept", "broken")
PROMISE_CHANNELS = ("call", "email", "letter", "visit", "portal", "other")
PLAN_STATUSES = ("active", "completed", "breached")
INSTALMENT_STATUSES = ("pending", "due", "kept", "late", "missed")


class PaymentApplication(Base):
    """One application of cash (or a credit memo) to an invoice, as the ledger announced it;
    `undone_on` is set when it is unapplied or its payment reversed. Promises and plans count
    cash (source kinds `payment` and `unapplied_cash`) that is not undone."""

    __tablename__ = "payment_applications"
    __table_args__ = (Index("ix_payment_applications_invoice", "invoice_id", "effective_date"),)

    application_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column()
    source_kind: Mapped[str] = mapped_column(Text)
    source_id: Mapped[uuid.UUID] = mapped_column(index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    effective_date: Mapped[date] = mapped_column(Date)
    undone_on: Mapped[date | None] = mapped_column(Date)


class PromiseToPay(Base):
    """The customer's commitment to pay `amount` by `promised_date` for some open items."""

    __tablename__ = "promises_to_pay"
    __table_args__ = (
        CheckConstraint(f"status IN {PROMISE_STATUSES}", name="status_known"),
        CheckConstraint(f"channel IN {PROMISE_CHANNELS}", name="channel_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("tolerance_days >= 0", name="tolerance_not_negative"),
        Index("ix_promises_to_pay_customer", "customer_id", "promised_date"),
        Index("ix_promises_to_pay_open", "business_entity", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    business_entity: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    exponent: Mapped[int] = mapped_column(SmallInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    promised_date: Mapped[date] = mapped_column(Date)
    tolerance_days: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_on: Mapped[date] = mapped_column(Date, doc="the business date it was taken")
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    received_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    judged_on: Mapped[date | None] = mapped_column(Date)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(doc="the contact it was taken in")
    recorded_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class PromiseItem(Base):
    """An open item a promise covers, with the pause it put on the item's dunning."""

    __tablename__ = "promise_items"

    promise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("promises_to_pay.id"), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True
    )  # no foreign key: a rebuild empties open items
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    open_minor: Mapped[int] = mapped_column(BigInteger, doc="the item's open balance when promised")
    pause_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dunning_pauses.id"))


class PaymentPlan(Base):
    """A workout plan: chosen items paid off in instalments (the first may be a down payment)."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        CheckConstraint(f"status IN {PLAN_STATUSES}", name="status_known"),
        CheckConstraint("tolerance_days >= 0", name="tolerance_not_negative"),
        Index("ix_payment_plans_customer", "customer_id"),
        Index("ix_payment_plans_active", "business_entity", postgresql_where=text("status = 'active'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    business_entity: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    exponent: Mapped[int] = mapped_column(SmallInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    tolerance_days: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    agreed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, server_default=text("'active'"))
    received_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class PlanInstalment(Base):
    __tablename__ = "plan_instalments"
    __table_args__ = (
        CheckConstraint(f"status IN {INSTALMENT_STATUSES}", name="status_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_plans.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, doc="0 is the down payment, if any")
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    down_payment: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    due_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    paid_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    paid_on: Mapped[date | None] = mapped_column(Date)


class PlanItem(Base):
    __tablename__ = "plan_items"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_plans.id"), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True
    )  # no foreign key: a rebuild empties open items
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    open_minor: Mapped[int] = mapped_column(BigInteger, doc="the item's open balance when agreed")
    pause_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dunning_pauses.id"))
