"""API shapes of write-offs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ar_ledger.models import WriteOff as WriteOffRow
from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount


class WriteOffCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "invoice_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                    "amount": {"amount": "0.01", "currency": "EUR"},
                    "reason_code": "small_balance",
                    "effective_date": "2026-11-30",
                }
            ]
        },
    )

    invoice_id: uuid.UUID
    amount: PositiveMoneyAmount
    reason_code: Identifier = Field(
        min_length=1,
        max_length=50,
        description="One of the configured write-off reason codes (`GET /v1/reason-codes`); by default "
        "small_balance, uncollectable, bankruptcy, dispute_settlement, goodwill, other",
        examples=["small_balance"],
    )
    effective_date: BusinessDate
    note: Text | None = Field(default=None, max_length=2000)


class WriteOffOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount
    reason_code: str
    effective_date: date
    note: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: WriteOffRow) -> WriteOffOut:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            invoice_id=row.invoice_id,
            amount=MoneyAmount.from_money(Money(row.amount_minor, row.currency)),
            reason_code=row.reason_code,
            effective_date=row.effective_date,
            note=row.note,
            created_at=row.created_at,
        )
