"""A customer account as collections sees it: the ledger's master data, the collector's attributes
and the portfolio it is assigned to."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

ASSIGNMENT_SOURCES = ("rule", "manual")


class Account(Base):
    """Projected from `CustomerUpserted` (name … time zone); the rest is collections' own."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            f"assignment_source IS NULL OR assignment_source IN {ASSIGNMENT_SOURCES}",
            name="assignment_source_known",
        ),
        # row-level security builds each statement's set of visible accounts from this index alone
        Index("ix_accounts_portfolio_id", "portfolio_id", postgresql_include=["customer_id"]),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    business_entity: Mapped[str] = mapped_column(Text)
    sales_rep: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(Text)
    time_zone: Mapped[str] = mapped_column(Text)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # what the ledger does not know: set by a manager, read by the assignment rules
    country: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # the portfolio (and so the collector) that works the account; row-level security reads it
    portfolio_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("portfolios.id"))
    assignment_source: Mapped[str | None] = mapped_column(Text)
    assignment_rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assignment_rules.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # kept with each contact activity, so the worklist needs no scan of the history
    last_contact_on: Mapped[date | None] = mapped_column(Date)
