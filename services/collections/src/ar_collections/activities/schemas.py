"""API shapes of activities and outcome codes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ar_shared.inputs import BusinessDate, Identifier, Text, Timestamp

ActivityKind = Literal["call", "email", "letter", "note", "visit"]
Direction = Literal["inbound", "outbound"]
OutcomeCodeValue = Annotated[Identifier, Field(min_length=1, max_length=100, examples=["left_voicemail"])]


class ActivityCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "call",
                    "direction": "outbound",
                    "outcome": "promised_to_pay",
                    "contact": "Jane Doe, AP clerk",
                    "summary": "Will pay INV-1001 on Friday; asked for a statement copy.",
                    "duration_seconds": 240,
                    "occurred_at": "2026-11-24T14:05:00Z",
                    "next_follow_up_on": "2026-11-28",
                }
            ]
        },
    )

    kind: ActivityKind
    direction: Direction | None = Field(
        default=None, description="Default: outbound for calls, e-mails, letters and visits; none for notes"
    )
    outcome: OutcomeCodeValue | None = Field(
        default=None, description="An outcome code of the installation (`GET /v1/outcome-codes`)"
    )
    contact: Text | None = Field(default=None, max_length=300, description="Who was spoken to")
    summary: Text = Field(min_length=1, max_length=10000)
    duration_seconds: int | None = Field(
        default=None, ge=0, le=86400, description="Length of a call or visit"
    )
    occurred_at: Timestamp | None = Field(default=None, description="Defaults to now; never in the future")
    next_follow_up_on: BusinessDate | None = Field(
        default=None,
        description="Creates a follow-up task due on this business date (not before the activity's)",
    )
    completes_task_id: uuid.UUID | None = Field(
        default=None,
        description="The open task of the account this activity does. Without it, an outbound contact "
        "completes the account's open tasks of its kind (and follow-ups) due by its date",
    )


class Activity(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: ActivityKind
    direction: Direction | None
    outcome: str | None
    contact: str | None
    summary: str
    duration_seconds: int | None
    occurred_at: datetime
    occurred_on: date = Field(description="The business date it happened on")
    next_follow_up_on: date | None
    follow_up_task_id: uuid.UUID | None
    completed_task_id: uuid.UUID | None
    logged_by: str
    created_at: datetime


class OutcomeCodeUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text = Field(min_length=1, max_length=500)
    active: StrictBool = True


class OutcomeCode(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    description: str
    active: bool
