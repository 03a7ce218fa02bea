"""Collection targets: an amount to collect per collector, team or portfolio and period."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base


class CollectionTarget(Base):
    __tablename__ = "collection_targets"
    __table_args__ = (
        CheckConstraint("scope IN ('collector', 'team', 'portfolio')", name="scope_known"),
        CheckConstraint("period_kind IN ('month', 'quarter', 'year')", name="period_kind_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("scope", "scope_key", "period", "currency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scope: Mapped[str] = mapped_column(Text)
    scope_key: Mapped[str] = mapped_column(Text)  # the collector's subject, or the team's / portfolio's id
    period: Mapped[str] = mapped_column(Text)  # 2026-11, 2026-Q4, 2026
    period_kind: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
