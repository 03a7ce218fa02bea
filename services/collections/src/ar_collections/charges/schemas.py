"""API shapes of the dunning charge settings: the fee schedule and the late-interest terms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ar_shared.inputs import BusinessDate, Identifier, check_identifier
from ar_shared.money import MoneyTotal, PositiveMoneyAmount, currency_exponent

DayCount = Literal["act_365", "act_360"]
# percentage points as a decimal string: a JSON number would lose exactness on its way in
PercentText = Annotated[
    str, StringConstraints(pattern=r"^-?[0-9]{1,3}(\.[0-9]{1,4})?$"), AfterValidator(check_identifier)
]


class FeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=100, description="The dunning level (a charge_fee step's `fee_level`)")
    amount: PositiveMoneyAmount = Field(description="The fixed fee of the level in this currency")


class RatePeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: BusinessDate = Field(description="The rate applies to days late from this date on")
    reference_rate_percent: PercentText = Field(
        description="Annual reference rate in percent (e.g. a central bank's base rate; may be below zero)",
        examples=["2.27"],
    )
    margin_percent: PercentText = Field(
        description="Percentage points above the reference rate (e.g. the statutory 8)", examples=["8"]
    )


class InterestTermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Identifier = Field(description="ISO 4217 code the terms apply to", examples=["EUR"])
    day_count: DayCount = Field(
        description="What a year is: `act_365` (actual days late / 365) or `act_360` (actual / 360)"
    )
    rate_periods: list[RatePeriodIn] = Field(
        min_length=1, max_length=200, description="The annual rate (reference + margin) from each date on"
    )

    @field_validator("currency", mode="after")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        currency_exponent(value)  # an unknown code is a field error on `currency`
        return value


class ChargeSettingsIn(BaseModel):
    """The whole settings: what is not listed is no longer charged."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "fees": [
                        {"level": 1, "amount": {"amount": "5.00", "currency": "EUR"}},
                        {"level": 2, "amount": {"amount": "10.00", "currency": "EUR"}},
                    ],
                    "interest": [
                        {
                            "currency": "EUR",
                            "day_count": "act_365",
                            "rate_periods": [
                                {"effective_from": "2026-01-01", "reference_rate_percent": "2.27",
                                 "margin_percent": "8"}
                            ],
                        }
                    ],
                }
            ]
        },
    )  # fmt: skip

    fees: list[FeeIn] = Field(default_factory=list, max_length=1000)
    interest: list[InterestTermsIn] = Field(default_factory=list, max_length=200)


class Fee(BaseModel):
    level: int
    amount: MoneyTotal


class RatePeriod(BaseModel):
    effective_from: BusinessDate
    reference_rate_percent: str
    margin_percent: str
    annual_rate_percent: str = Field(description="reference + margin")


class InterestTerms(BaseModel):
    currency: str
    day_count: DayCount
    rate_periods: list[RatePeriod]


class ChargeSettings(BaseModel):
    fees: list[Fee]
    interest: list[InterestTerms]
    updated_by: str | None = Field(description="Who changed them last (None: never set)")
    updated_at: datetime | None


def as_json(settings: ChargeSettings) -> dict[str, Any]:
    return settings.model_dump(mode="json", exclude={"updated_by", "updated_at"})
