"""API shapes of credit reviews and the credit reference."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.money import MoneyAmount, MoneyTotal


class FinancialsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_assets: MoneyAmount
    current_liabilities: MoneyAmount
    total_liabilities: MoneyAmount
    equity: MoneyAmount = Field(description="May be negative")
    revenue: MoneyAmount = Field(description="Last full year")
    net_income: MoneyAmount = Field(description="Last full year; negative for a loss")
    years_in_business: int = Field(ge=0, le=500)


class CreditReviewCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "8d6f4c2e-3f1a-4c59-9a57-0b7f1f2b9e10",
                    "financials": {
                        "current_assets": {"amount": "800000.00", "currency": "EUR"},
                        "current_liabilities": {"amount": "400000.00", "currency": "EUR"},
                        "total_liabilities": {"amount": "600000.00", "currency": "EUR"},
                        "equity": {"amount": "1500000.00", "currency": "EUR"},
                        "revenue": {"amount": "5000000.00", "currency": "EUR"},
                        "net_income": {"amount": "400000.00", "currency": "EUR"},
                        "years_in_business": 12,
                    },
                }
            ]
        },
    )

    customer_id: uuid.UUID
    financials: FinancialsIn


class FactorOut(BaseModel):
    name: str
    value: str
    points: int
    max_points: int
    explanation: str


class CreditReviewOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    score: int = Field(description="0-100, the sum of the factors' points")
    risk_class: str
    factors: list[FactorOut]
    recommended_limit: MoneyAmount
    reviewed_on: date
    next_review_on: date
    reviewed_by: str


class ReviewDue(BaseModel):
    customer_id: uuid.UUID
    name: str
    risk_class: str
    review_date: date
    credit_limit: MoneyAmount


class CreditReference(BaseModel):
    """A payment-record summary for a customer, as a credit reference answer."""

    customer_id: uuid.UUID
    name: str
    currency: str
    credit_limit: MoneyAmount | None
    risk_class: str | None
    last_review: dict[str, Any] | None
    open_ar: MoneyTotal
    overdue: MoneyTotal
    oldest_days_past_due: int
    invoices_total: int
    invoices_open: int
    invoices_overdue: int
    active_holds: list[str]
