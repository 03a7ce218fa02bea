"""API shapes of escalations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_shared.inputs import BusinessDate, Identifier, Text

Level = Literal["manager", "department", "legal", "agency"]


class EscalationCreate(BaseModel):
    """A collector escalates an account: to the team's manager, or to another department."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"level": "department", "department": "sales", "reason": "customer asks for a price review"}
            ]
        },
    )

    level: Level = "manager"
    department: Identifier | None = Field(
        default=None, min_length=1, max_length=100, description="The department (level department)"
    )
    reason: Text = Field(min_length=1, max_length=4000)
    due_on: BusinessDate | None = Field(
        default=None, description="When an outcome is expected; by default in the installation's days"
    )

    @model_validator(mode="after")
    def _department(self) -> Self:
        if (self.level == "department") != (self.department is not None):
            raise ValueError("name the department exactly when escalating to one")
        return self


class EscalationResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Text = Field(min_length=1, max_length=4000, examples=["payment plan agreed"])


class Escalation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    level: Level
    department: str | None
    assignee: str | None = Field(description="The manager whose queue it is in")
    reason: str
    due_on: date
    status: Literal["open", "resolved"]
    outcome: str | None
    raised_by: str
    raised_on: date
    resolved_by: str | None
    resolved_on: date | None
    created_at: datetime
