"""API shapes of suppression-list entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import EmailAddress, Text

SuppressionReason = Literal["hard_bounce", "complaint", "unsubscribed", "do_not_contact", "legal"]


class SuppressionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"address": "ap@acme.example", "reason": "do_not_contact", "note": "Asked by phone"}]
        },
    )

    address: EmailAddress
    reason: SuppressionReason
    note: Text | None = Field(default=None, max_length=2000)


class Suppression(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    address: str
    reason: SuppressionReason
    note: str | None
    created_by: str
    created_at: datetime
