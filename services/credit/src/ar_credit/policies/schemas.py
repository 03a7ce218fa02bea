"""API shapes of credit policies."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ar_shared.inputs import Identifier
from ar_shared.money import MoneyAmount

RiskClass = Literal["low", "medium", "high", "very_high"]
MAX_TOLERANCE_PERCENT = Decimal(1000)


_PERCENT = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")


def _percent(value: str) -> str:
    if not _PERCENT.fullmatch(value) or Decimal(value) > MAX_TOLERANCE_PERCENT:
        raise PydanticCustomError(
            "percent_format",
            "a percentage is a decimal string with at most two decimals, 0 to {most} (e.g. '5.00')",
            {"most": str(MAX_TOLERANCE_PERCENT)},
        )
    return value


Percent = Annotated[
    Identifier,
    AfterValidator(_percent),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{1,4}(\\.[0-9]{1,2})?$",
            "description": "A percentage as a decimal string, at most 1000 (e.g. `5.00`)",
        }
    ),
]


class CreditPolicySet(BaseModel):
    """What the policy of a risk class holds customers for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "max_days_past_due": 30,
                    "max_overdue_amounts": [
                        {"amount": "5000.00", "currency": "EUR"},
                        {"amount": "5500.00", "currency": "USD"},
                    ],
                    "limit_tolerance_percent": "0",
                    "auto_hold": True,
                }
            ]
        },
    )

    max_days_past_due: int = Field(
        ge=0, le=3650, description="Hold when the oldest open invoice is more days past due than this"
    )
    max_overdue_amounts: list[MoneyAmount] = Field(
        max_length=200,
        description=(
            "Hold when the overdue amount passes this, one per currency; customers billed in a "
            "currency not listed are not held for their overdue amount"
        ),
    )
    limit_tolerance_percent: Percent = Field(
        description="Hold when exposure passes the credit limit by more than this percentage"
    )
    auto_hold: bool = Field(
        default=True,
        description=(
            "False: the policy places no hold for this class and lifts those it placed (the credit "
            "check still refuses orders over the available credit; manual holds stay)"
        ),
    )

    @field_validator("max_overdue_amounts")
    @classmethod
    def _one_per_currency(cls, value: list[MoneyAmount]) -> list[MoneyAmount]:
        currencies = [m.currency for m in value]
        twice = sorted({c for c in currencies if currencies.count(c) > 1})
        if twice:
            raise ValueError(f"one threshold per currency: {', '.join(twice)} given more than once")
        if any(m.to_money().is_negative for m in value):
            raise ValueError("a threshold cannot be negative")
        return value


class CreditPolicy(BaseModel):
    risk_class: RiskClass
    max_days_past_due: int
    max_overdue_amounts: list[MoneyAmount] = Field(description="By currency code")
    limit_tolerance_percent: str = Field(examples=["5.00"])
    auto_hold: bool
    version: int = Field(description="Carried by the ETag")
    updated_by: str
    updated_at: datetime


class CreditPolicyChange(CreditPolicy):
    """The policy after the change, and how many of its customers were judged against it."""

    customers_reevaluated: int = Field(
        description="Customers of the class (with exposure or a policy hold) judged again in the same "
        "transaction"
    )
