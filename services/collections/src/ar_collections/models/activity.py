"""Something a collector did on an account: a call, an e-mail, a letter, a note or a visit, with
its outcome; and the outcome codes an installation uses."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

ACTIVITY_KINDS = ("call", "email", "letter", "note", "visit")
CONTACT_KINDS = ("call", "email", "letter", "visit")
DIRECTIONS = ("inbound", "outbound")


class OutcomeCode(Base):
    """What came of a contact (reached, left voicemail, promised to pay …): configurable."""

    __tablename__ = "outcome_codes"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_by: Mapped[str] = mapped_column(Text, server_default=text("'system'"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIVITY_KINDS}", name="kind_known"),
        CheckConstraint(f"direction IS NULL OR direction IN {DIRECTIONS}", name="direction_known"),
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration_not_negative"),
        Index("ix_activities_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_activities_customer_kind_on", "customer_id", "kind", "occurred_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(ForeignKey("outcome_codes.code"))
    contact: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the entity's business date the activity happened on: what SLAs and follow-ups compare with
    occurred_on: Mapped[date] = mapped_column(Date)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_task_id: Mapped[uuid.UUID | None] = mapped_column()
    completed_task_id: Mapped[uuid.UUID | None] = mapped_column()
    logged_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
