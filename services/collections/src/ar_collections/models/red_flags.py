"""Red flags raised on a customer: each (kind, occurrence) once, with its evidence and the
escalation that took it to the credit manager; and the red-flag jobs the close of business asks
for, one per entity and business date."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

RED_FLAG_KINDS = ("add_rising", "bounced_payment", "broken_promises", "credit_use")


class RedFlag(Base):
    __tablename__ = "red_flags"
    __table_args__ = (
        CheckConstraint(f"kind IN {RED_FLAG_KINDS}", name="kind_known"),
        # a rerun of the job raises nothing twice
        UniqueConstraint("customer_id", "kind", "occurrence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    occurrence: Mapped[str] = mapped_column(Text, doc="what makes this flag one (a month, a payment...)")
    raised_on: Mapped[date] = mapped_column(Date, doc="the as-of date of the run that raised it")
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    escalation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("escalations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


RED_FLAG_JOB_STATUSES = ("pending", "completed")


class RedFlagJob(Base):
    """The red-flag job of an entity for a business date, asked for by its close of business and
    run by the worker after that transaction commits (a failure leaves it pending, retried)."""

    __tablename__ = "red_flag_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {RED_FLAG_JOB_STATUSES}", name="status_known"),
        UniqueConstraint("business_entity", "as_of"),  # asked once per entity and date
        Index(
            "ix_red_flag_jobs_pending",
            "business_entity",
            "as_of",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_entity: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    kinds: Mapped[list[str]] = mapped_column(ARRAY(Text), doc="the kinds of flag judged (their cadence)")
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"), doc="failed attempts")
    last_error: Mapped[str | None] = mapped_column(Text, doc="why the last attempt failed")
    retry_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="after a failure: not attempted again before"
    )
    raised: Mapped[int | None] = mapped_column(Integer, doc="flags raised, once completed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
