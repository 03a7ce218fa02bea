"""What the credit service knows of each business entity's calendar (from BusinessDateChanged)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ar_credit.models.base import Base


class BusinessCalendar(Base):
    """The latest BusinessDateChanged of an entity. The credit check resolves the entity's
    business date from it in SQL (`exposure.picture`), the same way `ar_shared.business_date`
    does in Python; an entity the ledger never announced follows `CREDIT_BUSINESS_TIME_ZONE`."""

    __tablename__ = "business_calendars"
    __table_args__ = (CheckConstraint("mode IN ('calendar', 'manual')", name="mode_known"),)

    business_entity: Mapped[str] = mapped_column(Text, primary_key=True)
    time_zone: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(Text)
    business_date: Mapped[date] = mapped_column(Date, doc="the date announced last (manual mode: the date)")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
