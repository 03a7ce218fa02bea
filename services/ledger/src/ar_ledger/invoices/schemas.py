"""API shapes of invoices."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_ledger.models import Invoice as InvoiceRow
from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount

InvoiceStatus = Literal["open", "paid", "void", "written_off"]

EXAMPLE: dict[str, Any] = {
    "customer_external_id": "C-10042",
    "invoice_number": "INV-2026-0001",
    "issue_date": "2026-11-01",
    "due_date": "2026-12-01",
    "amount": {"amount": "1190.00", "currency": "EUR"},
    "order_reference": "SO-7781",
    "po_number": "PO-4411",
}


class InvoiceCreate(BaseModel):
    """One invoice from the billing system. Name the customer by ledger id or ERP id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    customer_id: uuid.UUID | None = None
    customer_external_id: Identifier | None = Field(default=None, max_length=100)
    invoice_number: Identifier = Field(min_length=1, max_length=100)
    issue_date: BusinessDate
    due_date: BusinessDate | None = Field(
        default=None, description="Defaults to issue date + the customer's terms"
    )
    amount: PositiveMoneyAmount
    order_reference: Identifier | None = Field(default=None, max_length=100)
    po_number: Identifier | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.customer_id is None) == (self.customer_external_id is None):
            raise ValueError("give exactly one of customer_id or customer_external_id")
        if self.due_date is not None and self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        return self


class InvoiceBulkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [EXAMPLE]}]})

    items: list[InvoiceCreate] = Field(min_length=1, max_length=10_000)


class InvoiceVoid(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"voided_on": "2026-11-05", "reason": "Billed twice"}]},
    )

    voided_on: BusinessDate
    reason: Text | None = Field(default=None, max_length=2000)


class Invoice(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str
    issue_date: date
    due_date: date
    amount: MoneyAmount
    open_balance: MoneyAmount
    status: InvoiceStatus
    order_reference: str | None
    po_number: str | None
    voided_on: date | None
    created_at: datetime
    document_kind: Literal["invoice", "dunning_fee", "late_interest"] = Field(
        default="invoice",
        description="An invoice, or a fee document issued for a dunning charge collections requested",
    )
    as_of: date | None = Field(
        default=None,
        description="With `?as_of=`: the date `open_balance`, `status` and `days_past_due` are as of",
    )
    days_past_due: int | None = Field(
        default=None,
        description="With `?as_of=`, while open: as_of - due date, 0 when not yet due",
    )

    @classmethod
    def of(cls, row: InvoiceRow) -> Invoice:
        def amount(minor: int) -> MoneyAmount:
            return MoneyAmount.from_money(Money(minor, row.currency))

        return cls(
            id=row.id,
            customer_id=row.customer_id,
            business_entity=row.business_entity,
            invoice_number=row.invoice_number,
            issue_date=row.issue_date,
            due_date=row.due_date,
            amount=amount(row.amount_minor),
            open_balance=amount(row.open_minor),
            status=row.status,
            order_reference=row.order_reference,
            po_number=row.po_number,
            voided_on=row.voided_on,
            created_at=row.created_at,
            document_kind=row.document_kind,
        )


class InvoiceBulkResult(BaseModel):
    created: int
    invoice_ids: list[uuid.UUID]
