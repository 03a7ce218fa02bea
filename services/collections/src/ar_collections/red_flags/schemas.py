"""API shapes of red flags and of a run of the red-flag job."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

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


RedFlagJobStatus = Literal["pending", "completed"]


class RedFlagJob(BaseModel):
    """The red-flag job a business date's close of business asked for."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_entity: str
    as_of: date = Field(description="The business date whose close of business asked for it")
    kinds: list[FlagKind] = Field(
        description="The kinds of flag it judges: those whose figures can have changed since the "
        "entity's previous job (ADD rising only when the last complete month moved)"
    )
    status: RedFlagJobStatus = Field(description="`pending` until it ran; a failed attempt stays pending")
    attempts: int = Field(description="Failed attempts so far")
    last_error: str | None = Field(description="Why the last attempt failed")
    retry_at: datetime | None = Field(
        description="After a failure: the next attempt, not before (the wait doubles with each failure)"
    )
    raised: int | None = Field(description="Flags it raised, once completed")
    created_at: datetime
    finished_at: datetime | None
