"""What collections answers about an entity's business date."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class KnownBusinessDate(BaseModel):
    business_entity: str
    business_date: date = Field(description="What collections calls today for the entity's accounts")
    mode: Literal["calendar", "manual"] = Field(
        description="`calendar`: today in `time_zone` by the clock; `manual`: the date the ledger announced"
    )
    time_zone: str = Field(examples=["Europe/Berlin"])
    announced: bool = Field(
        description="Whether the ledger announced the entity (`BusinessDateChanged`); if not, collections "
        "follows the wall-clock date in its default business time zone"
    )
