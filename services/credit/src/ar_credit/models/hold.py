"""A credit hold: a block on new orders for a customer, placed by policy or by hand."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ar_credit.models.base import Base


class CreditHold(Base):
    __tablename__ = "credit_holds"
    __table_args__ = (
        CheckConstraint("source IN ('policy', 'manual', 'collections')", name="source_known"),
        CheckConstraint("status IN ('active', 'released')", name="status_known"),
        CheckConstraint("(status = 'active') = (released_at IS NULL)", name="released_hold_has_release_time"),
        # at most one active hold per customer, reason and source: a re-delivered trigger
        # can never stack a second one
        Index(
            "ux_credit_holds_active",
            "customer_id",
            "source",
            "reason_code",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    reason_code: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active")
    placed_by: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_by: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
