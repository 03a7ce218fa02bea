"""API shapes of tasks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import BusinessDate, Identifier, Text

TaskKind = Literal["call", "email", "letter", "visit", "follow_up", "review"]
TaskStatus = Literal["open", "completed", "cancelled"]


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "call", "title": "Call AP about INV-1001", "due_on": "2026-11-27"}]
        },
    )

    kind: TaskKind
    title: Text = Field(min_length=1, max_length=300)
    note: Text | None = Field(default=None, max_length=5000)
    due_on: BusinessDate = Field(description="On or after the account's business date")
    sla_due_on: BusinessDate | None = Field(
        default=None, description="Work not done by then breaches its SLA (goes first on the worklist)"
    )
    assignee: Annotated[Identifier, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="A collector's subject; default: whoever works the account"
    )


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text | None = Field(default=None, max_length=5000)


class TaskCancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=2000)


class Task(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: TaskKind
    title: str
    note: str | None
    due_on: date
    sla_due_on: date | None
    status: TaskStatus
    assignee: str | None = Field(validation_alias="assignee_subject")
    source: Literal["collector", "activity", "workflow"]
    source_id: uuid.UUID | None
    created_by: str
    created_at: datetime
    completed_on: date | None
    completed_by: str | None
    completion_activity_id: uuid.UUID | None
