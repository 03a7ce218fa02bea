"""API shapes of credit profiles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import BusinessDate, Text
from ar_shared.money import MoneyAmount

RiskClass = Literal["low", "medium", "high", "very_high"]


class CreditProfileSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "credit_limit": {"amount": "50000.00", "currency": "EUR"},
                    "risk_class": "medium",
                    "review_date": "2027-05-31",
                    "reason": "Annual review: audited accounts received",
                }
            ]
        },
    )

    credit_limit: MoneyAmount
    risk_class: RiskClass
    review_date: BusinessDate | None = None
    reason: Text = Field(min_length=1, max_length=2000, description="Why (recorded with who changed it)")


class CreditProfile(BaseModel):
    customer_id: uuid.UUID
    credit_limit: MoneyAmount
    risk_class: RiskClass
    review_date: date | None
    version: int
    updated_by: str
    updated_at: datetime


class LimitDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text | None = Field(default=None, max_length=2000)


class CreditLimitRequest(BaseModel):
    """A limit change above the approval threshold, waiting for a second credit manager."""

    id: uuid.UUID
    customer_id: uuid.UUID
    current_limit: MoneyAmount | None
    requested_limit: MoneyAmount
    risk_class: RiskClass
    review_date: date | None
    reason: str
    requested_by: str
    status: Literal["pending", "approved", "rejected"]
    decided_by: str | None
    decision_note: str | None
    created_at: datetime


class PendingCreditProfile(BaseModel):
    """A profile for a customer credit has not seen yet: attached when the ledger's customer arrives."""

    id: uuid.UUID
    customer_id: uuid.UUID | None = Field(description="The ledger's id it was filed for (or null)")
    external_id: str | None = Field(description="The ERP's id it was filed for (or null)")
    credit_limit: MoneyAmount
    risk_class: RiskClass
    review_date: date | None
    reason: str
    requested_by: str
    status: Literal["pending", "attached", "refused"] = Field(
        description="`pending`: the customer has not arrived; `attached`: applied (or filed as a limit "
        "request) when it did; `refused`: in another currency than the customer's, or replaced"
    )
    outcome: str | None
    attached_to: uuid.UUID | None
    created_at: datetime
    resolved_at: datetime | None
