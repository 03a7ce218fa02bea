"""API shape of a new suppression-list entry (the entry itself is in ar_notifications/schemas.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ar_notifications.schemas import SuppressionReason
from ar_shared.inputs import EmailAddress, Text


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
