"""Red flags raised on a customer: each (kind, occurrence) once, with its evidence and the
escalation that took it to the credit manager."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
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
