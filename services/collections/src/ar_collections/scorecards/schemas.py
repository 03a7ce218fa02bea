"""API shapes of the customer scorecard."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from ar_collections.domain.scorecards import Trend


class ScorecardTrend(BaseModel):
    """Each figure against the previous month: up, down or flat (null when either is unknown)."""

    dso: Trend | None
    average_days_delinquent: Trend | None
    average_days_late: Trend | None
    promises_kept: Trend | None
    promises_broken: Trend | None
    disputes_open: Trend | None
    credit_use_percent: Trend | None


class ScorecardMonth(BaseModel):
    month: str = Field(examples=["2026-03"])
    period_start: date
    period_end: date = Field(description="The month's last day, or the business date in the current month")
    ending_ar: str = Field(description="Open AR at the period's end")
    credit_sales: str
    dso: Decimal | None = Field(description="As /v1/kpis gives for the customer and the month")
    average_days_delinquent: Decimal | None = Field(description="ADD, as /v1/kpis gives it")
    cash_applied: str = Field(description="Cash applied to the customer's items in the month")
    average_days_late: Decimal | None = Field(
        description="Amount-weighted days from each item's due date to the cash applied to it in the "
        "month (negative: paid early on average); null without cash applied"
    )
    promises_made: int
    promises_kept: int
    promises_partially_kept: int
    promises_broken: int = Field(description="Promises judged so in the month")
    disputes_opened: int = Field(description="Dispute and deduction cases opened in the month")
    disputes_open: int = Field(description="Cases open (not resolved) at the period's end")
    credit_limit: str | None = Field(description="The credit limit now (no history is kept)")
    credit_use_percent: Decimal | None = Field(
        description="Open AR / credit limit x 100; null without a limit"
    )
    trend: ScorecardTrend


class Scorecard(BaseModel):
    customer_id: uuid.UUID
    name: str
    currency: str
    as_of_month: str
    months: list[ScorecardMonth] = Field(description="Oldest first")
