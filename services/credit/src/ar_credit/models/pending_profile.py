"""A credit profile set for a customer the credit service has not heard of yet (by its ledger id or
its ERP id): attached when the ledger's CustomerUpserted arrives."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ar_credit.models.base import Base


class PendingCreditProfile(Base):
    __tablename__ = "pending_profiles"
    __table_args__ = (
        CheckConstraint("(customer_id IS NULL) <> (external_id IS NULL)", name="one_key"),
        CheckConstraint("status IN ('pending', 'attached', 'refused')", name="status_known"),
        CheckConstraint("limit_minor >= 0", name="limit_not_negative"),
        # one waiting profile per customer: a later PUT replaces it
        Index(
            "ux_pending_profiles_customer",
            "customer_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "ux_pending_profiles_external",
            "external_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID | None] = mapped_column()
    external_id: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    risk_class: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="pending")
    outcome: Mapped[str | None] = mapped_column(Text, doc="what happened on arrival, or why it was refused")
    attached_to: Mapped[uuid.UUID | None] = mapped_column(doc="the customer it was attached to")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
