"""API shapes of collectors and teams."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ar_shared.inputs import BusinessDate, EmailAddress, Identifier, Text

Role = Literal["collector", "manager"]
Subject = Annotated[Identifier, Field(min_length=1, max_length=200, examples=["collector-anna"])]


class CollectorUpsert(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "Anna Berg", "email": "anna.berg@example.com", "role": "collector"}]
        },
    )

    display_name: Text = Field(min_length=1, max_length=200)
    email: EmailAddress | None = None
    team_id: uuid.UUID | None = None
    role: Role = "collector"
    active: StrictBool = True


class Collector(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: str
    display_name: str
    email: str | None
    team_id: uuid.UUID | None
    role: Role
    active: bool
    absent: bool = Field(description="While absent, each portfolio's backup works its accounts")
    absent_until: date | None
    absence_note: str | None
    created_at: datetime
    updated_at: datetime


class AbsenceUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"absent": True, "until": "2026-12-24", "note": "Holiday"}]},
    )

    absent: StrictBool
    until: BusinessDate | None = Field(default=None, description="Expected return (for information)")
    note: Text | None = Field(default=None, max_length=2000)


class TeamCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "DACH", "manager": "manager-maria"}]}
    )

    name: Text = Field(min_length=1, max_length=200)
    manager: Subject | None = Field(default=None, description="Token subject of the team's manager")


class Team(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    manager: str | None = Field(validation_alias="manager_subject")
    created_at: datetime
