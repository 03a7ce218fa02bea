"""An address the platform must never write to (bounced, unsubscribed, legal hold, do-not-contact)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ar_notifications.models.base import Base


class Suppression(Base):
    __tablename__ = "suppressions"
    __table_args__ = (
        CheckConstraint("address = lower(address)", name="address_lower_case"),
        CheckConstraint(
            "reason IN ('hard_bounce', 'complaint', 'unsubscribed', 'do_not_contact', 'legal')",
            name="reason_known",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    address: Mapped[str] = mapped_column(Text, unique=True)
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
