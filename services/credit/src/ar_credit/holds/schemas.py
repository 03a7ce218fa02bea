"""API shapes of credit holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import Text

ReasonCode = Literal[
    "past_due",
    "over_limit",
    "broken_promise",
    "dispute_pattern",
    "bankruptcy_risk",
    "fraud_suspected",
    "documents_missing",
    "other",
]


class ManualHoldCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "8d6f4c2e-3f1a-4c59-9a57-0b7f1f2b9e10",
                    "reason_code": "bankruptcy_risk",
                    "note": "Press reports insolvency filing; hold until reviewed.",
                }
            ]
        },
    )

    customer_id: uuid.UUID
    reason_code: ReasonCode
    note: Text | None = Field(default=None, max_length=2000)


class HoldRelease(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Guarantee received"}]}
    )

    reason: Text = Field(min_length=1, max_length=2000, description="Why the hold is lifted (audited)")


class CreditHold(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    source: Literal["policy", "manual", "collections"]
    reason_code: str
    note: str | None
    status: Literal["active", "released"]
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None
