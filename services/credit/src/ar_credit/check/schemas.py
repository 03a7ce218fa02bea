"""API shapes of the credit check and credit decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import Identifier, Text
from ar_shared.money import MoneyAmount, MoneyTotal

Decision = Literal["approved", "over_limit", "held"]


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


class CreditDecisionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "order_reference": "SO-7781",
                    "customer_id": "8d6f4c2e-3f1a-4c59-9a57-0b7f1f2b9e10",
                    "amount": {"amount": "2500.00", "currency": "EUR"},
                }
            ]
        },
    )

    order_reference: Identifier = Field(min_length=1, max_length=100)
    customer_id: uuid.UUID
    amount: MoneyAmount


class OverrideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=2000)


class CreditDecision(BaseModel):
    """A sales order's credit decision. `refused` orders are the blocked-order queue: judged again
    whenever the customer's holds or exposure change, released (`approved`) when they pass."""

    order_reference: str
    customer_id: uuid.UUID
    amount: MoneyAmount
    decision: Decision
    reason_codes: list[str]
    status: Literal["approved", "refused", "released", "cancelled", "invoiced"]
    decided_by: str
    override_by: str | None
    override_reason: str | None
    business_date: date = Field(description="The business date of the customer's entity it was decided on")
    created_at: datetime
    updated_at: datetime = Field(description="Last change: decided, judged again, released, closed")
