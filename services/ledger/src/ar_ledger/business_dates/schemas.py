"""API shapes of business dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared import inputs


class BusinessDateSet(BaseModel):
    """How an entity's business date is kept from now on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"business_date": "2026-12-31", "time_zone": "Europe/Berlin"},
                {"business_date": None, "time_zone": "Asia/Tokyo"},
            ]
        },
    )

    business_date: inputs.BusinessDate | None = Field(
        default=None,
        description=(
            "Set the date by hand (mode `manual`): it stays until set again. Null or omitted: the "
            "date follows the calendar again (mode `calendar`: today in `time_zone`)"
        ),
    )
    time_zone: inputs.TimeZone | None = Field(
        default=None,
        description="IANA time zone of the entity's calendar; omitted: unchanged (new entities: the default)",
    )


class BusinessDate(BaseModel):
    business_entity: str
    business_date: date = Field(description="What every rule of the entity calls today")
    mode: Literal["calendar", "manual"] = Field(
        description="`calendar`: today in `time_zone` by the clock; `manual`: the date an admin set"
    )
    time_zone: str = Field(examples=["Europe/Berlin"])
    last_closed: date | None = Field(
        description="The last business date whose close of business ran (null: never closed yet)"
    )
    version: int = Field(description="0 for an entity never set nor closed; the ETag carries it")
    updated_by: str | None
    updated_at: datetime | None
