"""Dispute and deduction cases (the items they contest, their status history), the write-off and
suspension recommendations a manager approves or rejects, and escalations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

CASE_KINDS = ("dispute", "deduction")
CASE_STATUSES = ("open", "under_review", "resolved_valid", "resolved_invalid", "withdrawn")
OWNER_KINDS = ("collector", "department")
RECOMMENDATION_KINDS = ("write_off", "suspension")
RECOMMENDATION_SOURCES = ("collector", "strategy", "short_payment")
RECOMMENDATION_STATUSES = ("pending", "approved", "rejected")


class DisputeCase(Base):
    """A customer contests invoices (a dispute) or paid them short (a deduction). A valid case
    closes when the credit memos it asked for arrived; an invalid or withdrawn one at once."""

    __tablename__ = "dispute_cases"
    __table_args__ = (
        CheckConstraint(f"kind IN {CASE_KINDS}", name="kind_known"),
        CheckConstraint(f"status IN {CASE_STATUSES}", name="status_known"),
        CheckConstraint(f"owner_kind IS NULL OR owner_kind IN {OWNER_KINDS}", name="owner_kind_known"),
        Index("ix_dispute_cases_customer", "customer_id", "opened_on"),
        Index("ix_dispute_cases_opened_on", "opened_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    reason_code: Mapped[str] = mapped_column(Text)
    root_cause_code: Mapped[str | None] = mapped_column(Text)
    owner_kind: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DisputeItem(Base):
    """One invoice of a case and the amount contested; its id is the `dispute_id` credit keys its
    disputed exposure by. A valid case asks one credit memo per item (`credit_request_id`)."""

    __tablename__ = "dispute_items"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "credit_minor IS NULL OR (credit_minor >= 0 AND credit_minor <= amount_minor)",
            name="credit_within_disputed",
        ),
        Index("ix_dispute_items_invoice", "invoice_id"),
        Index(
            "uq_dispute_items_credit_request",
            "credit_request_id",
            unique=True,
            postgresql_where=text("credit_request_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispute_cases.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("open_items.invoice_id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    pause_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dunning_pauses.id"))
    credit_minor: Mapped[int | None] = mapped_column(
        BigInteger, doc="what a valid resolution credits (at most the disputed amount; 0: nothing)"
    )
    credit_request_id: Mapped[uuid.UUID | None] = mapped_column()
    credit_memo_id: Mapped[uuid.UUID | None] = mapped_column()


class DisputeHistory(Base):
    """Every status a case went through, who moved it, on which business date and why."""

    __tablename__ = "dispute_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispute_cases.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text, doc="a status, or `closed` when the credit memos arrived")
    note: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Recommendation(Base):
    """A write-off (of an invoice amount) or an account suspension, recommended by a collector, a
    strategy step or a short payment, with its evidence; a manager other than the recommender
    approves or rejects it."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(f"kind IN {RECOMMENDATION_KINDS}", name="kind_known"),
        CheckConstraint(f"source IN {RECOMMENDATION_SOURCES}", name="source_known"),
        CheckConstraint(f"status IN {RECOMMENDATION_STATUSES}", name="status_known"),
        CheckConstraint(
            "kind <> 'write_off' OR (invoice_id IS NOT NULL AND amount_minor > 0)",
            name="write_off_has_amount",
        ),
        Index("ix_recommendations_pending", "recommended_on", postgresql_where=text("status = 'pending'")),
        Index("ix_recommendations_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("open_items.invoice_id"))
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    reason_code: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    recommended_by: Mapped[str] = mapped_column(Text)
    recommended_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


ESCALATION_LEVELS = ("manager", "department", "legal", "agency")


class Escalation(Base):
    """An account escalated to a manager, another department, legal or an agency, with the reason,
    a due date and (once resolved) the outcome; open ones form the manager's queue."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(f"level IN {ESCALATION_LEVELS}", name="level_known"),
        CheckConstraint("status IN ('open', 'resolved')", name="status_known"),
        CheckConstraint("(level = 'department') = (department IS NOT NULL)", name="department_named"),
        Index("ix_escalations_open", "due_on", postgresql_where=text("status = 'open'")),
        Index("ix_escalations_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    level: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(Text, doc="the manager whose queue it is in")
    reason: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
