"""What orders the worklist: the priority weights, the SLA rules and accounts barred from contact."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.activity import CONTACT_KINDS, DIRECTIONS
from ar_collections.models.base import Base

DO_NOT_CONTACT_REASONS = ("litigation", "insolvency", "key_account", "customer_request")
SLA_TRIGGERS = ("past_due",)


class WorklistWeight(Base):
    """The weight of one part of the priority score (points = weight x value)."""

    __tablename__ = "worklist_weights"

    part: Mapped[str] = mapped_column(Text, primary_key=True)
    weight: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    updated_by: Mapped[str] = mapped_column(Text, server_default=text("'system'"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SlaRule(Base):
    """E.g. "call a customer within 7 days of its first invoice going past due"."""

    __tablename__ = "sla_rules"
    __table_args__ = (
        CheckConstraint("trigger IN ('past_due')", name="trigger_known"),
        CheckConstraint(f"action_kind IN {CONTACT_KINDS}", name="action_kind_known"),
        CheckConstraint(
            f"action_direction IS NULL OR action_direction IN {DIRECTIONS}", name="action_direction_known"
        ),
        CheckConstraint("within_days >= 0", name="within_days_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(Text)
    within_days: Mapped[int] = mapped_column(Integer)
    action_kind: Mapped[str] = mapped_column(Text)
    action_direction: Mapped[str | None] = mapped_column(Text)
    business_entity: Mapped[str | None] = mapped_column(Text)
    risk_class: Mapped[str | None] = mapped_column(Text)
    portfolio_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("portfolios.id"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DoNotContact(Base):
    """The account may not be contacted (nor dunned) while this is in force."""

    __tablename__ = "do_not_contact"
    __table_args__ = (
        CheckConstraint(f"reason IN {DO_NOT_CONTACT_REASONS}", name="reason_known"),
        Index(
            "ux_do_not_contact_in_force",
            "customer_id",
            unique=True,
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    ends_on: Mapped[date | None] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(Text)
    lift_reason: Mapped[str | None] = mapped_column(Text)
