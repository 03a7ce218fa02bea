"""API shapes of credit memos."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_ledger.models import Application as ApplicationRow
from ar_ledger.models import CreditMemo as CreditMemoRow
from ar_ledger.postings.schemas import AllocationIn, ApplicationOut
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount


class CreditMemoCreate(BaseModel):
    """A credit memo from billing. With `invoice_id` it is applied to that invoice at once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_external_id": "C-10042",
                    "memo_number": "CM-0007",
                    "issue_date": "2026-11-10",
                    "amount": {"amount": "50.00", "currency": "EUR"},
                    "invoice_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                    "reason_code": "pricing",
                }
            ]
        },
    )

    customer_id: uuid.UUID | None = None
    customer_external_id: Identifier | None = Field(default=None, max_length=100)
    memo_number: Identifier = Field(min_length=1, max_length=100)
    issue_date: BusinessDate
    amount: PositiveMoneyAmount
    invoice_id: uuid.UUID | None = None
    reason_code: Identifier | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="One of the configured credit-memo reason codes (`GET /v1/reason-codes`); by "
        "default pricing, damaged_goods, returns, short_shipment, billing_error, "
        "dispute_settlement, goodwill, opening_balance, other",
        examples=["pricing", "damaged_goods", "returns"],
    )

    request_id: uuid.UUID | None = Field(
        default=None,
        description="The `request_id` of the CreditMemoRequested this memo answers: collections "
        "closes the dispute by it. One memo per request (a second answers 409)",
    )
    dispute_id: uuid.UUID | None = Field(
        default=None, description="The dispute case the memo settles (CreditMemoRequested's `dispute_id`)"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.customer_id is None) == (self.customer_external_id is None):
            raise ValueError("give exactly one of customer_id or customer_external_id")
        return self


class CreditMemoApply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_date: BusinessDate
    allocations: list[AllocationIn] | None = None


class CreditMemoOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    memo_number: str
    issue_date: date
    amount: MoneyAmount
    unapplied: MoneyAmount
    refunded: MoneyAmount = Field(description="Paid back to the customer (issued refunds)")
    invoice_id: uuid.UUID | None
    reason_code: str | None
    request_id: uuid.UUID | None
    dispute_id: uuid.UUID | None
    applications: list[ApplicationOut]
    created_at: datetime

    @classmethod
    def of(
        cls, row: CreditMemoRow, applications: list[ApplicationRow], refunded_minor: int = 0
    ) -> CreditMemoOut:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            memo_number=row.memo_number,
            issue_date=row.issue_date,
            amount=MoneyAmount.from_money(Money(row.amount_minor, row.currency)),
            unapplied=MoneyAmount.from_money(Money(row.unapplied_minor, row.currency)),
            refunded=MoneyAmount.from_money(Money(refunded_minor, row.currency)),
            invoice_id=row.invoice_id,
            reason_code=row.reason_code,
            request_id=row.request_id,
            dispute_id=row.dispute_id,
            applications=[ApplicationOut.of(a, row.currency) for a in applications],
            created_at=row.created_at,
        )
