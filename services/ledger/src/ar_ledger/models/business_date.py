"""A business entity's business date: its calendar (time zone, by hand or by the clock) and the
last day whose close of business ran."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ar_ledger.models.base import Base


class EntityBusinessDate(Base):
    """One row per business entity once its date was set or its first day closed.

    An entity without a row follows the calendar in the default time zone
    (`LEDGER_BUSINESS_TIME_ZONE`) and has never been closed.
    """

    __tablename__ = "business_dates"
    __table_args__ = (
        CheckConstraint("mode IN ('calendar', 'manual')", name="mode_known"),
        CheckConstraint("(mode = 'manual') = (manual_date IS NOT NULL)", name="manual_mode_has_a_date"),
    )

    business_entity: Mapped[str] = mapped_column(Text, primary_key=True)
    time_zone: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(Text, default="calendar")
    manual_date: Mapped[date | None] = mapped_column(Date)
    # the last business date whose close of business ran (past-due sweep, BusinessDateChanged)
    last_closed: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
