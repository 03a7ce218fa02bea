"""API shapes of payments and their applications."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_ledger.models import Application as ApplicationRow
from ar_ledger.models import Payment as PaymentRow
from ar_ledger.postings.schemas import AllocationIn, ApplicationOut
from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount

PAYMENT_EXAMPLE: dict[str, Any] = {
    "customer_external_id": "C-10042",
    "amount": {"amount": "1500.00", "currency": "EUR"},
    "received_on": "2026-11-20",
    "method": "wire",
    "remittance_reference": "INV-2026-0001",
}


class PaymentCreate(BaseModel):
    """Cash received. Without `allocations` it is auto-applied: an invoice whose number equals the
    remittance reference first, then the oldest due date. What is left stays unapplied."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PAYMENT_EXAMPLE]})

    customer_id: uuid.UUID | None = None
    customer_external_id: Identifier | None = Field(default=None, max_length=100)
    amount: PositiveMoneyAmount
    received_on: BusinessDate
    method: Literal["wire", "ach", "sepa", "cheque", "card", "direct_debit", "cash", "other"] | None = None
    remittance_reference: Identifier | None = Field(default=None, max_length=200)
    external_reference: Identifier | None = Field(
        default=None, max_length=200, description="Bank transaction id"
    )
    allocations: list[AllocationIn] | None = Field(
        default=None,
        description="Explicit allocations; omit to auto-apply, send [] to leave it all unapplied",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.customer_id is None) == (self.customer_external_id is None):
            raise ValueError("give exactly one of customer_id or customer_external_id")
        return self


class ApplyRequest(BaseModel):
    """Apply unapplied money later: explicit allocations, or auto-apply when omitted."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "effective_date": "2026-11-22",
                    "allocations": [{"invoice_id": "…", "amount": {"amount": "200.00", "currency": "EUR"}}],
                }
            ]
        },
    )

    effective_date: BusinessDate
    allocations: list[AllocationIn] | None = None


class UnapplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_date: BusinessDate


class ReversalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reversed_on": "2026-11-25", "reason": "cheque returned unpaid"}]},
    )

    reversed_on: BusinessDate
    reason: Text | None = Field(default=None, max_length=2000)


class PaymentOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyAmount
    unapplied: MoneyAmount
    refunded: MoneyAmount = Field(description="Paid back to the customer (issued refunds)")
    received_on: date
    method: str | None
    remittance_reference: str | None
    external_reference: str | None
    status: Literal["posted", "reversed"]
    reversed_on: date | None
    applications: list[ApplicationOut]
    created_at: datetime

    @classmethod
    def of(cls, row: PaymentRow, applications: list[ApplicationRow], refunded_minor: int = 0) -> PaymentOut:
        def amount(minor: int) -> MoneyAmount:
            return MoneyAmount.from_money(Money(minor, row.currency))

        return cls(
            id=row.id,
            customer_id=row.customer_id,
            amount=amount(row.amount_minor),
            unapplied=amount(row.unapplied_minor),
            refunded=amount(refunded_minor),
            received_on=row.received_on,
            method=row.method,
            remittance_reference=row.remittance_reference,
            external_reference=row.external_reference,
            status="reversed" if row.status == "reversed" else "posted",
            reversed_on=row.reversed_on,
            applications=[ApplicationOut.of(a, row.currency) for a in applications],
            created_at=row.created_at,
        )
