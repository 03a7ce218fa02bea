"""API shapes of payment plans."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import BusinessDate, Text
from ar_shared.money import MoneyAmount, MoneyTotal

PlanStatus = Literal["active", "completed", "breached"]
InstalmentStatus = Literal["pending", "due", "kept", "late", "missed"]


class InstalmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_date: BusinessDate
    amount: MoneyAmount


class PlanCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "invoice_ids": ["7c9e6679-7425-40de-944b-e07fc1f90ae7"],
                    "down_payment": {
                        "due_date": "2026-12-05",
                        "amount": {"amount": "1000.00", "currency": "EUR"},
                    },
                    "instalments": [
                        {"due_date": "2027-01-05", "amount": {"amount": "2000.00", "currency": "EUR"}},
                        {"due_date": "2027-02-05", "amount": {"amount": "2000.00", "currency": "EUR"}},
                    ],
                }
            ]
        },
    )

    invoice_ids: list[uuid.UUID] = Field(min_length=1, max_length=500, description="The open items it covers")
    down_payment: InstalmentIn | None = Field(default=None, description="Due before the first instalment")
    instalments: list[InstalmentIn] = Field(
        min_length=1,
        max_length=120,
        description="In due-date order; with the down payment they add up to the items' open balance",
    )
    tolerance_days: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Days after an instalment's due date before it is missed and the plan breached "
        "(default: `COLLECTIONS_PLAN_TOLERANCE_DAYS`)",
    )
    note: Text | None = Field(default=None, max_length=2000)
    send_confirmation: bool = Field(default=True, description="Send the customer the plan confirmation")


class Instalment(BaseModel):
    number: int = Field(description="0 is the down payment, if the plan has one")
    down_payment: bool
    due_date: date
    amount: MoneyAmount
    paid: MoneyTotal
    paid_on: date | None
    status: InstalmentStatus = Field(
        description="pending (not due yet), due (past due, unpaid, within the tolerance), kept (paid by "
        "its due date), late (paid after it, within the tolerance), missed (not paid by due date + "
        "tolerance: the plan is breached)"
    )


class Plan(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    total: MoneyAmount
    received: MoneyTotal = Field(
        description="Cash applied to the covered items since it was agreed (less what an older promise "
        "over the same items, reopened by a reversal, counts first)"
    )
    tolerance_days: int
    invoice_ids: list[uuid.UUID]
    instalments: list[Instalment]
    status: PlanStatus
    note: str | None
    agreed_on: date
    closed_on: date | None
    created_by: str
    created_at: datetime
