"""API shape of the credit check (the decisions recorded for orders are in orders/schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from ar_credit.domain.credit import Decision
from ar_shared.money import MoneyAmount, MoneyTotal


class ExposureOut(BaseModel):
    open_ar: MoneyTotal = Field(description="Open invoices")
    unapplied_cash: MoneyTotal = Field(description="Received, not yet allocated: reduces exposure")
    unapplied_credits: MoneyTotal = Field(description="Credit memos not yet applied: reduce exposure")
    open_orders: MoneyTotal = Field(description="Approved orders not yet invoiced")
    disputed: MoneyTotal = Field(description="Disputed invoice amounts (in or out of total by setting)")
    total: MoneyTotal
    overdue: MoneyTotal
    oldest_days_past_due: int


class HoldOut(BaseModel):
    id: uuid.UUID
    reason_code: str
    source: Literal["policy", "manual", "collections"]
    placed_at: datetime


class CreditCheck(BaseModel):
    customer_id: uuid.UUID
    decision: Decision
    business_date: date = Field(
        description="The business date of the customer's business entity that the check judged on "
        "(days past due count to it)"
    )
    amount: MoneyAmount
    credit_limit: MoneyAmount | None = Field(description="None: the customer has no credit profile (limit 0)")
    available_credit: MoneyTotal = Field(description="Limit minus exposure, before this order")
    exposure: ExposureOut
    holds: list[HoldOut]
    reason_codes: list[str]
    exposure_as_of: datetime | None = Field(
        description=(
            "Time of the last ledger (or collections) event applied to this customer's exposure: the "
            "answer reflects the ledger as of then. Events the credit service has not applied yet "
            "are not in it (the consumer runs seconds behind under bulk imports). Null: no event "
            "applied for the customer yet."
        ),
        examples=["2026-11-24T14:05:00.123456Z"],
    )
