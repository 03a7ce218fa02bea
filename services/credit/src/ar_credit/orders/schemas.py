"""API shapes of an order's credit decision: recording it, overriding it, and the decision itself."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_credit.domain.credit import Decision
from ar_shared.inputs import Identifier, Text
from ar_shared.money import MoneyAmount


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
