"""API shapes of dunning strategies, segments, pauses, the account's dunning and strategy runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool

from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import MoneyAmount, MoneyTotal

Name = Annotated[Identifier, Field(min_length=1, max_length=100, examples=["standard"])]
Criterion = Annotated[Identifier, Field(min_length=1, max_length=200)]
Action = Literal[
    "email_reminder",
    "call_task",
    "demand_letter",
    "final_notice",
    "default_letter",
    "escalate",
    "recommend_credit_hold",
    "charge_fee",
    "recommend_write_off",
    "recommend_suspension",
]
PauseReason = Literal["promise", "dispute", "payment_plan", "other"]

STEPS_EXAMPLE: list[JsonValue] = [
    {"days": -5, "action": "email_reminder", "template_key": "pre_due_reminder"},
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder", "locale": "en"},
    {"days": 10, "action": "call_task", "sla_days": 2},
    {"days": 20, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 30, "action": "escalate"},
]


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(
        ge=-365, le=3650, description="Days past due of the oldest open item; negative: before it is due"
    )
    action: Action
    template_key: Identifier | None = Field(
        default=None,
        max_length=64,
        description="Notifications template of a message action (e-mail reminder or letter); "
        "one of the installation's known template keys",
    )
    locale: Identifier = Field(default="en", min_length=2, max_length=35, examples=["en", "de-DE"])
    overdue_min: MoneyAmount | None = Field(default=None, description="Overdue amount at least this")
    overdue_max: MoneyAmount | None = Field(default=None, description="Overdue amount below this")
    sla_days: int = Field(default=2, ge=0, le=365, description="A call task's SLA: days after its due date")
    fee_level: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="A charge_fee step: the dunning level whose fee it charges "
        "(see /v1/dunning-charges/settings)",
    )
    charge_interest: StrictBool = Field(
        default=False,
        description="When the step fires, also charge late-payment interest on the overdue items",
    )


class StrategyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "standard", "description": "Most accounts", "steps": STEPS_EXAMPLE}]
        },
    )

    name: Name
    description: Text | None = Field(default=None, max_length=2000)
    steps: list[StepIn] = Field(min_length=1, max_length=50)


class StrategyEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"steps": STEPS_EXAMPLE}]})

    description: Text | None = Field(default=None, max_length=2000)
    steps: list[StepIn] = Field(min_length=1, max_length=50)


class StepOut(BaseModel):
    days: int
    action: Action
    template_key: str | None
    locale: str
    overdue_min: MoneyTotal | None
    overdue_max: MoneyTotal | None
    sla_days: int
    fee_level: int | None
    charge_interest: bool


class Strategy(BaseModel):
    id: uuid.UUID
    name: str
    version: int
    description: str | None
    steps: list[StepOut]
    in_use: bool = Field(description="A run used this version: it can no longer change")
    created_by: str
    created_at: datetime


class SegmentIn(BaseModel):
    """Every criterion given must hold; none given matches every account (a catch-all)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "German high risk", "strategy": "strict", "priority": 10,
                 "business_entity": "DE01", "risk_class": "high"}
            ]
        },
    )  # fmt: skip

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    strategy: Name = Field(description="The strategy's name: its latest version applies")
    priority: int = Field(ge=0, le=1_000_000, description="Segments are tried from the lowest number up")
    business_entity: Criterion | None = None
    risk_class: Criterion | None = None
    balance_min: MoneyAmount | None = Field(default=None, description="Open balance at least this")
    balance_max: MoneyAmount | None = Field(default=None, description="Open balance below this")
    attribute_key: Criterion | None = Field(default=None, description="An account attribute, e.g. `segment`")
    attribute_value: Criterion | None = None


class Segment(BaseModel):
    id: uuid.UUID
    name: str
    strategy: str
    priority: int
    business_entity: str | None
    risk_class: str | None
    balance_min: MoneyTotal | None
    balance_max: MoneyTotal | None
    attribute_key: str | None
    attribute_value: str | None
    created_by: str
    created_at: datetime


class PauseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"invoice_ids": ["0f8fad5b-d9cb-469f-a165-70867728950e"], "reason": "promise",
                 "ends_on": "2026-04-15", "note": "Promised by phone"}
            ]
        },
    )  # fmt: skip

    invoice_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=500, description="Open items of the account"
    )
    reason: PauseReason
    ends_on: BusinessDate = Field(description="Last business date the pause holds")
    note: Text | None = Field(default=None, max_length=2000)


class Pause(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    reason: PauseReason
    note: str | None
    ends_on: date
    created_by: str
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None


class FiredStep(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cycle: int
    step_days: int
    action: Action
    strategy_name: str
    strategy_version: int
    run_id: uuid.UUID
    fired_on: date


class LetterSent(BaseModel):
    """A message a fired step asked notifications to send: the UI prints it from notifications
    (`GET /v1/letters?request_id=...`, then `GET /v1/letters/{id}/printable`)."""

    request_id: uuid.UUID = Field(description="The NotificationRequested's request id")
    template_key: str
    action: Action = Field(description="The step's action: email_reminder, demand_letter, final_notice …")
    level_days: int = Field(description="Days past due of the step (the dunning level)")
    cycle: int
    strategy_name: str
    strategy_version: int
    fired_on: date = Field(description="The business date of the run that sent it")
    items: int = Field(description="Open items the letter lists")


class DunningStanding(BaseModel):
    """The account's strategy and where it stands in it (the account view shows it too)."""

    strategy: str | None = Field(
        description="The strategy its segment assigns now (None: no segment matches)"
    )
    segment_id: uuid.UUID | None
    cycle: int = Field(description="Dunning cycle: a new one starts once the account is cured")
    level_days: int | None = Field(description="Days of the last step fired in the cycle (None: none yet)")
    level_action: Action | None


class AccountDunning(DunningStanding):
    customer_id: uuid.UUID
    live_pauses: list[Pause]
    fired: list[FiredStep] = Field(description="Steps fired, latest first (at most 50)")


class RunIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"business_entity": "DE01", "as_of": "2026-03-31", "dry_run": True}]},
    )

    business_entity: Criterion
    as_of: BusinessDate = Field(description="The business date to dun for; not before the entity's last run")
    dry_run: StrictBool = Field(
        default=False, description="Only answer what the run would do; nothing is written"
    )


class PlannedStep(BaseModel):
    customer_id: uuid.UUID
    days_past_due: int
    step_days: int
    action: Action
    strategy: str
    strategy_version: int


class Run(BaseModel):
    id: uuid.UUID | None = Field(description="None for a dry run (not recorded)")
    business_entity: str
    as_of: date
    dry_run: bool
    status: Literal["pending", "running", "completed"]
    trigger: Literal["api", "business_date_changed"]
    requested_by: str
    accounts_seen: int
    fired: dict[str, int] = Field(description="Steps fired (or, dry, that would fire) per action")
    skipped: dict[str, int] = Field(description="Accounts left alone, per reason")
    planned: list[PlannedStep] = Field(
        default_factory=list, description="Dry run: the steps that would fire (at most 1000)"
    )
    created_at: datetime | None
    finished_at: datetime | None


RunStatus = Literal["pending", "running", "completed"]
RunTrigger = Literal["api", "business_date_changed"]


class RunSummary(BaseModel):
    """A recorded strategy run in the list: its counts, not the accounts it touched."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b9c7d3e-8a51-4f4e-9f0c-2a7d1e6b5c40",
                    "business_entity": "DE01",
                    "as_of": "2026-03-31",
                    "status": "completed",
                    "trigger": "business_date_changed",
                    "requested_by": "collections-system",
                    "accounts_seen": 412,
                    "fired": {"email_reminder": 37, "call_task": 9},
                    "skipped": {"nothing_due": 360, "all_items_paused": 6},
                    "created_at": "2026-03-31T22:00:04Z",
                    "finished_at": "2026-03-31T22:00:19Z",
                }
            ]
        }
    )

    id: uuid.UUID
    business_entity: str
    as_of: date = Field(description="The business date the run dunned for")
    status: RunStatus
    trigger: RunTrigger = Field(
        description="`api`: asked for on demand (`POST /v1/strategy-runs`); `business_date_changed`: "
        "the close of business of a new business date"
    )
    requested_by: str
    accounts_seen: int
    fired: dict[str, int] = Field(description="Steps fired per action")
    skipped: dict[str, int] = Field(description="Accounts left alone, per reason")
    created_at: datetime
    finished_at: datetime | None = Field(description="None while the run is pending or running")
