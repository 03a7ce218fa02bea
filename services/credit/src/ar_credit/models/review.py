"""A completed credit review: the financial data given, the score and its factors."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_credit.models.base import Base


class CreditReview(Base):
    __tablename__ = "credit_reviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    financials: Mapped[dict[str, Any]] = mapped_column(JSONB)
    score: Mapped[int] = mapped_column(Integer)
    risk_class: Mapped[str] = mapped_column(Text)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    recommended_limit_minor: Mapped[int] = mapped_column(BigInteger)
    reviewed_on: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
