"""API shapes of the worklist, its weights and SLA rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ar_shared.inputs import Identifier, Text, check_identifier
from ar_shared.money import MoneyTotal

Part = Literal[
    "amount_overdue",
    "days_past_due",
    "risk_class",
    "promise",
    "dispute_age",
    "days_since_last_contact",
    "follow_up_due",
]


class ScorePart(BaseModel):
    part: Part
    weight: str = Field(description="Decimal string", examples=["0.5"])
    value: str = Field(description="Decimal string", examples=["42"])
    points: str = Field(description="weight x value, rounded to the cent", examples=["21.00"])


class WorkTask(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    due_on: date
    sla_due_on: date | None


class Sla(BaseModel):
    code: str = Field(examples=["call_within_7_days", "task:call"])
    name: str
    started_on: date | None = Field(description="When the clock started (rule SLAs)")
    due_on: date
    breached: bool
    source: Literal["rule", "task"]
    task_id: uuid.UUID | None


class DoNotContactNote(BaseModel):
    reason: str
    ends_on: date | None


class WorklistItem(BaseModel):
    customer_id: uuid.UUID
    external_id: str
    name: str
    business_entity: str
    as_of: date = Field(description="The business date the item was judged on")
    portfolio_id: uuid.UUID | None
    risk_class: str | None
    open_balance: list[MoneyTotal]
    overdue: list[MoneyTotal]
    oldest_days_past_due: int
    bucket: str
    last_contact_on: date | None
    reason_codes: list[str] = Field(description="Reason codes on the account's open items")
    tasks: list[WorkTask] = Field(description="Open tasks due on or before the business date")
    sla: Sla | None = Field(description="The most urgent SLA (breached ones go first on the list)")
    do_not_contact: DoNotContactNote | None
    score: str = Field(description="Sum of the parts' points", examples=["87.25"])
    score_parts: list[ScorePart]


# the pattern sits under the identifier guard, so the guard checks everything the value becomes
WeightText = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,4})?$"), AfterValidator(check_identifier)
]


class WeightsUpdate(BaseModel):
    """Only the parts sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"weights": {"days_past_due": "0.75"}}]}
    )

    weights: dict[Part, WeightText] = Field(
        min_length=1, description="Weight per part: a decimal string, 0 to 999999.9999"
    )


class Weight(BaseModel):
    part: Part
    weight: str
    updated_by: str
    updated_at: datetime


class SlaRuleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "call_within_7_days",
                    "name": "Call within 7 days of the first invoice going past due",
                    "within_days": 7,
                    "action_kind": "call",
                    "action_direction": "outbound",
                }
            ]
        },
    )

    code: Annotated[Identifier, Field(min_length=1, max_length=100)]
    name: Text = Field(min_length=1, max_length=300)
    trigger: Literal["past_due"] = "past_due"
    within_days: int = Field(ge=0, le=3650, description="Days after the oldest overdue item's due date")
    action_kind: Literal["call", "email", "letter", "visit"]
    action_direction: Literal["inbound", "outbound"] | None = "outbound"
    business_entity: Annotated[Identifier, Field(min_length=1, max_length=200)] | None = None
    risk_class: Annotated[Identifier, Field(min_length=1, max_length=100)] | None = None
    portfolio_id: uuid.UUID | None = None


class SlaRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    trigger: Literal["past_due"]
    within_days: int
    action_kind: str
    action_direction: str | None
    business_entity: str | None
    risk_class: str | None
    portfolio_id: uuid.UUID | None
    active: bool
    created_by: str
    created_at: datetime


def decimal_text(value: Decimal) -> str:
    """A weight or value without trailing zeros ("0.5", "10")."""
    return format(value.normalize(), "f")
