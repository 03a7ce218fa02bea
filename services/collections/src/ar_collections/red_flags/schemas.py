"""API shapes of red flags and of a run of the red-flag job."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ar_collections.domain.scorecards import FlagKind
from ar_shared.inputs import BusinessDate, Identifier


class RedFlagRunCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"as_of": "2026-03-31", "business_entity": "DE01"}]}
    )

    as_of: BusinessDate = Field(description="The date the figures are looked at")
    business_entity: Identifier | None = Field(
        default=None, description="One entity's accounts; all by default"
    )


class RedFlag(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: FlagKind
    occurrence: str = Field(description="What makes it one: the streak's first month, the payment, …")
    raised_on: date
    summary: str
    evidence: dict[str, Any] = Field(description="The figures behind it")
    escalation_id: uuid.UUID | None = Field(description="The escalation in the credit manager's queue")
    created_at: datetime


class RedFlagRun(BaseModel):
    as_of: date
    business_entity: str | None
    raised: list[RedFlag] = Field(description="Flags raised by this run (none raised before)")


class RedFlags(BaseModel):
    items: list[RedFlag]
