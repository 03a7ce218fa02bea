"""Dunning charges: the fee schedule per dunning level and currency, the late-payment interest
terms and rate periods per currency, and every charge a dunning step requested from the ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base


class DunningFee(Base):
    """The fixed fee a `charge_fee` step of this dunning level charges, in one currency."""

    __tablename__ = "dunning_fees"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LateInterestTerms(Base):
    """Late-payment interest is charged in this currency, with this day-count basis."""

    __tablename__ = "late_interest_terms"
    __table_args__ = (CheckConstraint("day_count IN ('act_365', 'act_360')", name="day_count_known"),)

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day_count: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LateInterestRate(Base):
    """From `effective_from` on, the annual rate of the currency is reference rate + margin."""

    __tablename__ = "late_interest_rates"

    currency: Mapped[str] = mapped_column(
        ForeignKey("late_interest_terms.currency", ondelete="CASCADE"), primary_key=True
    )
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    reference_rate_percent: Mapped[Decimal] = mapped_column(Numeric(9, 4))
    margin_percent: Mapped[Decimal] = mapped_column(Numeric(9, 4))


class DunningCharge(Base):
    """A charge a dunning step requested (`DunningChargeRequested`); the ledger's fee document has
    the request id as its id. Interest charged through `as_of` is not charged again."""

    __tablename__ = "dunning_charges"
    __table_args__ = (
        CheckConstraint("kind IN ('fee', 'interest')", name="kind_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_dunning_charges_customer", "customer_id", "kind"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
