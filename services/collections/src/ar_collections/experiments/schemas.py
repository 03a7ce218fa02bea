"""API shapes of champion / challenger experiments and their outcome report."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ar_shared.inputs import Identifier, Text
from ar_shared.money import currency_exponent

ArmName = Annotated[Identifier, Field(min_length=1, max_length=50, examples=["champion", "challenger"])]
StrategyName = Annotated[Identifier, Field(min_length=1, max_length=100, examples=["standard"])]


class ArmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ArmName
    strategy: StrategyName = Field(description="The dunning strategy this arm's accounts follow")
    share_percent: Decimal = Field(
        gt=0,
        le=100,
        decimal_places=2,
        description="Share of the segment's accounts, in %; the arms sum to 100",
    )

    @field_validator("share_percent", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError('send the share as a decimal string or integer (e.g. "33.34"), not a float')
        return value


class ExperimentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Earlier call", "segment_id": "3f1e7a52-1c55-4f67-8d0c-4b9b5f0f6c11",
                 "hypothesis": "Calling at 5 days past due collects more than a second e-mail",
                 "currency": "EUR", "window_days": 30, "champion": "current",
                 "arms": [{"name": "current", "strategy": "standard", "share_percent": "50"},
                          {"name": "early-call", "strategy": "early-call", "share_percent": "50"}]}
            ]
        },
    )  # fmt: skip

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    hypothesis: Annotated[Text, Field(max_length=2000)] | None = None
    segment_id: uuid.UUID = Field(description="The segment whose accounts are split")
    currency: Identifier = Field(
        pattern=r"^[A-Z]{3}$", description="Cash collected is compared in this currency", examples=["EUR"]
    )
    window_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Cash collected and cure are counted within this many days of entering",
    )
    champion: ArmName = Field(
        description="The arm the others are compared with (usually the current strategy)"
    )
    arms: list[ArmIn] = Field(min_length=2, max_length=10)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        currency_exponent(value)
        return value


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"promote": "early-call"}]})

    promote: ArmName = Field(description="The arm whose strategy the segment keeps from now on")


class Arm(BaseModel):
    name: str
    strategy: str
    share_percent: Decimal
    champion: bool


class Experiment(BaseModel):
    id: uuid.UUID
    name: str
    hypothesis: str | None
    segment_id: uuid.UUID | None
    segment_name: str
    currency: str
    window_days: int
    status: Literal["running", "ended"]
    arms: list[Arm]
    promoted_arm: str | None
    created_by: str
    created_at: datetime
    ended_by: str | None
    ended_at: datetime | None


class Interval(BaseModel):
    low: float
    high: float


class RateOut(BaseModel):
    successes: int
    accounts: int
    rate: float | None = Field(description="successes / accounts")
    interval: Interval | None = Field(description="Wilson 95 % confidence interval")


class CashOut(BaseModel):
    accounts: int
    total: str = Field(description="Cash received within the window, in the experiment's currency")
    mean: str | None
    median: str | None
    interval: tuple[str, str] | None = Field(description="95 % confidence interval of the mean (t)")


class CeiOut(BaseModel):
    accounts: int = Field(description="Accounts with a CEI (some AR to collect over their window)")
    cei_percent: Decimal | None = Field(
        description="The arm's CEI: the formula of ar_shared.kpis over the arm's summed beginning AR, "
        "credit sales, ending AR and ending current AR, each account over its own window"
    )
    mean: float | None = Field(description="Mean of the accounts' own CEI, in %")
    interval: Interval | None = Field(description="95 % confidence interval of that mean (t)")


class TestOut(BaseModel):
    test: str = Field(examples=["mann_whitney_u", "welch_t", "two_proportion_z"])
    difference: float | None = Field(description="challenger - champion (amounts in the currency)")
    p_value: float | None
    significant: bool
    enough_data: bool


class ArmOutcome(BaseModel):
    arm: str
    strategy: str
    champion: bool
    accounts_entered: int
    accounts_measured: int = Field(description="Accounts whose window has ended by the report's date")
    cash_collected: CashOut
    cure_rate: RateOut = Field(description="Every item overdue on entering settled within the window")
    roll_rate: RateOut = Field(description="Oldest overdue item in a later aging bucket at the window's end")
    promise_kept_rate: RateOut = Field(
        description="Of the promises taken within the window whose deadline fell within it (judged by "
        "its end), those kept; here `successes` and `accounts` count promises"
    )
    cei: CeiOut = Field(description="Collection effectiveness index over each account's window")
    against_champion: dict[str, TestOut] = Field(
        default_factory=dict,
        description="cash_collected (Mann-Whitney), cash_collected_mean (Welch), cure_rate, roll_rate, "
        "promise_kept_rate (two-proportion z), cei (Welch over the accounts' own CEI)",
    )
    verdict: str | None = None


class Outcomes(BaseModel):
    experiment_id: uuid.UUID
    as_of: date
    window_days: int
    currency: str
    arms: list[ArmOutcome]
