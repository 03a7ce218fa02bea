"""API shapes every document that applies money shares: an allocation asked for, an application made.

Payments and credit memos both apply money to invoices through the posting engine: the shapes
of that live here, a level below them, so neither imports the other's schemas.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ar_ledger.models import Application as ApplicationRow
from ar_shared.inputs import Identifier
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount


class AllocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_id: uuid.UUID
    amount: PositiveMoneyAmount
    deduction_reason: Identifier | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Why the customer paid this invoice short (remittance advice): a residual left "
        "with a reason opens a deduction case in collections",
        examples=["pricing", "damaged_goods"],
    )


class ApplicationOut(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    source_kind: str
    source_id: uuid.UUID
    amount: MoneyAmount
    effective_date: date
    reversed_on: date | None
    deduction_reason: str | None = None

    @classmethod
    def of(cls, row: ApplicationRow, currency: str) -> ApplicationOut:
        return cls(
            id=row.id,
            invoice_id=row.invoice_id,
            source_kind=row.source_kind,
            source_id=row.source_id,
            amount=MoneyAmount.from_money(Money(row.amount_minor, currency)),
            effective_date=row.effective_date,
            reversed_on=row.reversed_on,
            deduction_reason=row.deduction_reason,
        )
