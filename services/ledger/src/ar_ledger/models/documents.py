"""Receivables documents: invoices, payments, credit memos and write-offs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_ledger.models.base import Base


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("open_minor >= 0 AND open_minor <= amount_minor", name="open_within_amount"),
        CheckConstraint("due_date >= issue_date", name="due_not_before_issue"),
        CheckConstraint("status IN ('open', 'paid', 'void', 'written_off')", name="status_known"),
        Index("uq_invoices_entity_number", "business_entity", "invoice_number", unique=True),
        Index("ix_invoices_customer_due", "customer_id", "due_date"),
        Index("ix_invoices_open_due", "due_date", postgresql_where=text("open_minor > 0")),
        Index("ix_invoices_voided_on", "voided_on", postgresql_where=text("voided_on IS NOT NULL")),
        CheckConstraint(
            "document_kind IN ('invoice', 'dunning_fee', 'late_interest')", name="document_kind_known"
        ),
        CheckConstraint(
            "(document_kind = 'invoice') = (charge_request_id IS NULL)", name="charge_has_request"
        ),
        Index("uq_invoices_charge_request", "charge_request_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    business_entity: Mapped[str] = mapped_column(Text)
    invoice_number: Mapped[str] = mapped_column(Text)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, default="open")
    order_reference: Mapped[str | None] = mapped_column(Text)
    po_number: Mapped[str | None] = mapped_column(Text)
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # a fee document is an invoice of another kind (see dunning_charges/service.py); its
    # `charge_request_id` is the DunningChargeRequested's request id: one document per request
    document_kind: Mapped[str] = mapped_column(Text, server_default=text("'invoice'"))
    charge_request_id: Mapped[uuid.UUID | None] = mapped_column()


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor", name="unapplied_within_amount"
        ),
        CheckConstraint("status IN ('posted', 'reversed')", name="status_known"),
        Index("ix_payments_customer", "customer_id", "received_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(Text)
    remittance_reference: Mapped[str | None] = mapped_column(Text)
    external_reference: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="posted")
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CreditMemo(Base):
    __tablename__ = "credit_memos"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor", name="unapplied_within_amount"
        ),
        Index("uq_credit_memos_entity_number", "business_entity", "memo_number", unique=True),
        Index(
            "uq_credit_memos_request",
            "request_id",
            unique=True,
            postgresql_where=text("request_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    business_entity: Mapped[str] = mapped_column(Text)
    memo_number: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    issue_date: Mapped[date] = mapped_column(Date)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id"))
    reason_code: Mapped[str | None] = mapped_column(Text)
    # the CreditMemoRequested it answers (one memo per request) and the dispute it settles
    request_id: Mapped[uuid.UUID | None] = mapped_column()
    dispute_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WriteOff(Base):
    __tablename__ = "write_offs"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        # an approved recommendation is written off once, however often its event arrives
        Index(
            "uq_write_offs_request",
            "request_id",
            unique=True,
            postgresql_where=text("request_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason_code: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # the approved recommendation (WriteOffApproved) it carries out
    request_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Application(Base):
    """An amount of a payment, credit memo or write-off applied to one invoice, from a date.

    Taking it back (unapply, payment reversal) sets `reversed_on` rather than deleting, so the
    ledger can be asked what was applied as of any past date.
    """

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("source_kind IN ('payment', 'credit_memo', 'write_off')", name="source_known"),
        CheckConstraint("reversed_on IS NULL OR reversed_on >= effective_date", name="reversal_after_effect"),
        Index("ix_applications_invoice", "invoice_id", "effective_date"),
        Index("ix_applications_source", "source_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # the order applications were made in (timestamps tie inside one transaction)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    source_kind: Mapped[str] = mapped_column(Text)
    source_id: Mapped[uuid.UUID] = mapped_column()
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    effective_date: Mapped[date] = mapped_column(Date)
    reversed_on: Mapped[date | None] = mapped_column(Date)
    deduction_reason: Mapped[str | None] = mapped_column(Text, doc="Why the customer paid this invoice short")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Refund(Base):
    """Money paid back to a customer out of a payment's unapplied cash or a credit memo's unapplied
    credit. Above the approval threshold it waits (`pending_approval`) and posts nothing until a
    second person approves it; `issued` refunds are posted (journal, balances, event)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("source_kind IN ('payment', 'credit_memo')", name="source_known"),
        CheckConstraint("status IN ('pending_approval', 'issued', 'rejected')", name="status_known"),
        Index("ix_refunds_source", "source_id"),
        Index("ix_refunds_customer", "customer_id", "refund_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    source_kind: Mapped[str] = mapped_column(Text)
    source_id: Mapped[uuid.UUID] = mapped_column()
    refund_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
