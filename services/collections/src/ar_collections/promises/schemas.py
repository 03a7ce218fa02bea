"""API shapes of promises to pay."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.inputs import BusinessDate, Text
from ar_shared.money import MoneyAmount, MoneyTotal

PromiseStatus = Literal["open", "kept", "partially_kept", "broken"]
Channel = Literal["call", "email", "letter", "visit", "portal", "other"]


class PromiseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": {"amount": "1500.00", "currency": "EUR"},
                    "promised_date": "2026-12-10",
                    "invoice_ids": ["7c9e6679-7425-40de-944b-e07fc1f90ae7"],
                    "channel": "call",
                    "contact": "Jane Doe, AP clerk",
                    "note": "Pays after the customer's own payment run",
                }
            ]
        },
    )

    amount: MoneyAmount = Field(description="At most the covered items' open balance, in their currency")
    promised_date: BusinessDate = Field(description="Not before the account's business date")
    invoice_ids: list[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="The open items it covers; none: the account's oldest open items in the amount's "
        "currency, as many as the amount reaches",
    )
    tolerance_days: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Days after the promised date a payment still keeps it (default: the installation's, "
        "`COLLECTIONS_PROMISE_TOLERANCE_DAYS`)",
    )
    channel: Channel = Field(description="How the customer gave it; a contact channel logs it as an activity")
    contact: Text | None = Field(default=None, max_length=300, description="Who promised")
    note: Text | None = Field(default=None, max_length=2000)
    send_confirmation: bool = Field(default=True, description="Send the customer the promise confirmation")


class Promise(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyAmount
    promised_date: date
    tolerance_days: int
    deadline: date = Field(
        description="The last business date a payment keeps it (promised date + tolerance)"
    )
    invoice_ids: list[uuid.UUID]
    channel: Channel
    contact: str | None
    note: str | None
    status: PromiseStatus = Field(
        description="open until judged: kept once paid in full by the deadline (a credit memo applied "
        "to the covered items lowers the cash needed to what they still owe, when that is less than "
        "promised); partially kept or broken on the first business date after it"
    )
    received: MoneyTotal = Field(
        description="Cash applied to the covered items by the deadline (credits are no cash; cash on an "
        "item an older live promise or payment plan also covers counts for that one first)"
    )
    recorded_on: date
    judged_on: date | None
    activity_id: uuid.UUID | None = Field(description="The contact-history entry it was taken in")
    recorded_by: str
    created_at: datetime


class PromiseStanding(BaseModel):
    """The account's promises at a glance: the live ones, and how earlier ones were judged."""

    open: list[Promise] = Field(description="Promises not judged yet, by promised date")
    kept: int
    partially_kept: int
    broken: int = Field(description="Broken promises count against the account (and escalate)")
    last_broken_on: date | None
