"""API shapes of activities."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import Text, Timestamp

ActivityKind = Literal["call", "email", "note", "visit"]
Outcome = Literal[
    "reached",
    "no_answer",
    "left_voicemail",
    "wrong_contact",
    "promised_to_pay",
    "disputed",
    "refused_to_pay",
    "requested_copy",
    "paid_already",
    "callback_requested",
]


class ActivityCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "call",
                    "outcome": "promised_to_pay",
                    "contact": "Jane Doe, AP clerk",
                    "summary": "Will pay INV-1001 on Friday; asked for a statement copy.",
                    "occurred_at": "2026-11-24T14:05:00Z",
                }
            ]
        },
    )

    kind: ActivityKind
    outcome: Outcome | None = Field(default=None, description="What came of it (calls and visits)")
    contact: Text | None = Field(default=None, max_length=300, description="Who was spoken to")
    summary: Text = Field(min_length=1, max_length=10000)
    occurred_at: Timestamp | None = Field(default=None, description="Defaults to now; never in the future")


class Activity(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: ActivityKind
    outcome: Outcome | None
    contact: str | None
    summary: str
    occurred_at: datetime
    logged_by: str
    created_at: datetime
