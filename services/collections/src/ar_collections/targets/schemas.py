"""API shapes of collection targets and their standings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import Identifier
from ar_shared.money import MoneyTotal, PositiveMoneyAmount

Scope = Literal["collector", "team", "portfolio"]
PeriodText = Annotated[
    Identifier,
    Field(
        max_length=7,
        description="`2026-11` (a month), `2026-Q4` (a quarter) or `2026` (a year)",
        examples=["2026-11", "2026-Q4", "2026"],
    ),
]


class TargetIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"scope": "collector", "scope_id": "collector-anna", "period": "2026-Q4",
                 "amount": {"amount": "250000.00", "currency": "EUR"}}
            ]
        },
    )  # fmt: skip

    scope: Scope
    scope_id: Annotated[Identifier, Field(min_length=1, max_length=200)] = Field(
        description="The collector's subject, or the team's or portfolio's id"
    )
    period: PeriodText
    amount: PositiveMoneyAmount = Field(description="Cash to collect in the period (one target per currency)")


class Target(BaseModel):
    id: uuid.UUID
    scope: Scope
    scope_id: str
    name: str = Field(description="The collector's, team's or portfolio's name")
    period: str
    period_kind: Literal["month", "quarter", "year"]
    starts_on: date
    ends_on: date
    amount: MoneyTotal
    set_by: str
    set_at: datetime


class Standing(BaseModel):
    target: Target
    collected: MoneyTotal = Field(
        description="Cash received from the scope's accounts from the period's start to as_of"
    )
    remaining: MoneyTotal
    percent_collected: Decimal | None = Field(description="Of the target, two decimals")
    percent_of_period: Decimal = Field(description="Share of the period gone by on as_of: the pace")
    on_track: bool = Field(description="percent_collected is at least percent_of_period")
    rank: int = Field(description="Among the targets of the same scope and currency, by percent collected")


class Standings(BaseModel):
    period: str
    as_of: date
    standings: list[Standing]
