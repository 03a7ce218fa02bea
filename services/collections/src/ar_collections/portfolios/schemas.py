"""API shapes of portfolios, assignment rules and assignments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ar_shared.inputs import Identifier, Text
from ar_shared.money import MoneyAmount, MoneyTotal

Name = Annotated[Text, Field(min_length=1, max_length=200)]
Subject = Annotated[Identifier, Field(min_length=1, max_length=200, examples=["collector-anna"])]
Criterion = Annotated[Identifier, Field(min_length=1, max_length=200)]
Reason = Annotated[Text, Field(min_length=1, max_length=2000)]


class PortfolioCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "DACH large accounts", "collector": "collector-anna", "backup": "collector-ben"}
            ]
        },
    )

    name: Name
    description: Text | None = Field(default=None, max_length=2000)
    collector: Subject = Field(description="Token subject of the collector who works it")
    backup: Subject | None = Field(
        default=None, description="Covers the accounts while the collector is absent"
    )


class PortfolioUpdate(BaseModel):
    """Only the fields sent change; `backup: null` removes the backup."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Text | None = Field(default=None, max_length=2000)
    collector: Subject | None = None
    backup: Subject | None = None
    reason: Reason | None = Field(default=None, description="Kept in the portfolio's history")


class Portfolio(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    collector: str = Field(validation_alias="collector_subject")
    backup: str | None = Field(validation_alias="backup_subject")
    created_by: str
    created_at: datetime
    updated_at: datetime


class AssignmentRuleCreate(BaseModel):
    """Every criterion given must hold; none given matches every account (a catch-all)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "German high-risk accounts over 50k",
                    "portfolio_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "priority": 10,
                    "business_entity": "DE01",
                    "risk_class": "high",
                    "balance_min": {"amount": "50000.00", "currency": "EUR"},
                }
            ]
        },
    )

    name: Name
    portfolio_id: uuid.UUID
    priority: int = Field(ge=0, le=1_000_000, description="Rules are tried from the lowest number up")
    business_entity: Criterion | None = None
    country: Criterion | None = None
    region: Criterion | None = None
    risk_class: Criterion | None = None
    balance_min: MoneyAmount | None = Field(default=None, description="Open balance at least this")
    balance_max: MoneyAmount | None = Field(default=None, description="Open balance below this")
    attribute_key: Criterion | None = Field(default=None, description="e.g. `segment`, or `sales_rep`")
    attribute_value: Criterion | None = None


class AssignmentRule(BaseModel):
    id: uuid.UUID
    name: str
    portfolio_id: uuid.UUID
    priority: int
    business_entity: str | None
    country: str | None
    region: str | None
    risk_class: str | None
    balance_min: MoneyTotal | None
    balance_max: MoneyTotal | None
    attribute_key: str | None
    attribute_value: str | None
    created_by: str
    created_at: datetime


class Reassignment(BaseModel):
    """Name the portfolio, or the collector whose (only) portfolio takes the account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"collector": "collector-ben", "reason": "Anna moves to the UK team"}]
        },
    )

    portfolio_id: uuid.UUID | None = None
    collector: Subject | None = None
    reason: Reason


class Assignment(BaseModel):
    customer_id: uuid.UUID
    portfolio_id: uuid.UUID | None
    portfolio_name: str | None
    collector: str | None
    backup: str | None
    source: Literal["rule", "manual"] | None = Field(
        description="manual: rules leave it alone until released"
    )
    rule_id: uuid.UUID | None
    assigned_at: datetime | None


class AssignmentChange(BaseModel):
    customer_id: uuid.UUID
    from_portfolio_id: uuid.UUID | None
    to_portfolio_id: uuid.UUID | None
    source: str
    rule_id: uuid.UUID | None
    reason: str | None
    changed_by: str
    changed_at: datetime
    effective_on: date


class AssignmentRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: StrictBool = Field(default=False, description="Only say what would move")


class Move(BaseModel):
    customer_id: uuid.UUID
    from_portfolio_id: uuid.UUID | None
    to_portfolio_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    passed_over: list[str] = Field(description="Why each earlier rule did not match, in order")


class AssignmentRun(BaseModel):
    dry_run: bool
    accounts_seen: int
    moves: list[Move]
