"""API shapes of reason codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ar_shared.inputs import Identifier, Text

ReasonCodeValue = Annotated[Identifier, Field(min_length=1, max_length=100, examples=["awaiting_po"])]


class ReasonCodeUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text = Field(min_length=1, max_length=500)
    active: StrictBool = True


class ReasonCode(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    description: str
    active: bool
    workflow: bool = Field(description="Also set by promises, disputes and payment plans")


class ItemReasonsSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "invoice_ids": ["7c9e6679-7425-40de-944b-e07fc1f90ae7"],
                    "code": "awaiting_po",
                    "note": "PO 4711 requested from purchasing",
                }
            ]
        },
    )

    invoice_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=500, description="Open items of this account"
    )
    code: ReasonCodeValue | None = Field(description="null clears the reason code")
    note: Text | None = Field(default=None, max_length=2000)


class ItemReason(BaseModel):
    invoice_id: uuid.UUID
    code: str | None
    note: str | None
    source: Literal["collector", "workflow"] | None
    set_by: str | None
    set_at: datetime | None


class ItemReasonChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    invoice_id: uuid.UUID
    code: str | None
    previous_code: str | None
    note: str | None
    source: Literal["collector", "workflow"]
    set_by: str
    set_at: datetime
