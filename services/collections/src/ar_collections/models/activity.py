"""Something a collector did on an account: a call, an e-mail, a note or a visit, with its outcome."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

ACTIVITY_KINDS = ("call", "email", "note", "visit")
OUTCOMES = (
    "reached",
    "no_answer",
    "left_voicemail",
    "wrong_contact",
    "promised_to_pay",
    "disputed",
    "refused_to_pay",
    "requested_copy",
    "paid_already",
    "callback_requested",
)


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIVITY_KINDS}", name="kind_known"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES}", name="outcome_known"),
        Index("ix_activities_customer_occurred", "customer_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    logged_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
