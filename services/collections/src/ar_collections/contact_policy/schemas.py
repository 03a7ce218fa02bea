"""API shapes of do-not-contact."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import BusinessDate, Text

Reason = Literal["litigation", "insolvency", "key_account", "customer_request"]


class DoNotContactSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "litigation", "note": "Case 2026-114 at the district court"}]
        },
    )

    reason: Reason
    note: Text | None = Field(default=None, max_length=2000)
    ends_on: BusinessDate | None = Field(
        default=None, description="Last business date it is in force; none: until lifted"
    )


class DoNotContact(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    reason: Reason
    note: str | None
    ends_on: date | None
    set_by: str
    set_at: datetime
    in_force: bool = Field(description="Not lifted, and its end date not passed on the business date")
