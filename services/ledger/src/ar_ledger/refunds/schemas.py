"""API shapes of refunds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_ledger.models import Refund as RefundRow
from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount

RefundStatus = Literal["pending_approval", "issued", "rejected"]
RefundMethod = Literal["wire", "ach", "sepa", "cheque", "card", "other"]
_STATUSES: dict[str, RefundStatus] = {
    "pending_approval": "pending_approval",
    "issued": "issued",
    "rejected": "rejected",
}


class RefundCreate(BaseModel):
    """A refund out of one payment's unapplied cash or one credit memo's unapplied credit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payment_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                    "amount": {"amount": "310.00", "currency": "EUR"},
                    "refund_date": "2026-11-28",
                    "reason_code": "overpayment",
                    "method": "wire",
                    "reference": "DE89370400440532013000",
                }
            ]
        },
    )

    payment_id: uuid.UUID | None = Field(default=None, description="Refund this payment's unapplied cash")
    credit_memo_id: uuid.UUID | None = Field(
        default=None, description="Refund this credit memo's unapplied credit"
    )
    amount: PositiveMoneyAmount | None = Field(
        default=None, description="Omit to refund everything refundable on `refund_date`"
    )
    refund_date: BusinessDate = Field(description="The money leaves on this date")
    reason_code: Identifier = Field(
        min_length=1,
        max_length=50,
        description="One of the configured refund reason codes (`GET /v1/reason-codes`); by default "
        "overpayment, duplicate_payment, credit_balance, account_closed, other",
        examples=["overpayment"],
    )
    method: RefundMethod | None = None
    reference: Identifier | None = Field(default=None, max_length=200, description="Bank or ERP reference")
    note: Text | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.payment_id is None) == (self.credit_memo_id is None):
            raise ValueError("give exactly one of payment_id or credit_memo_id")
        return self


class RefundDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "checked the bank details"}]}
    )

    note: Text | None = Field(default=None, max_length=2000)


class RefundOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    source_kind: Literal["payment", "credit_memo"]
    source_id: uuid.UUID
    amount: MoneyAmount
    refund_date: date
    reason_code: str
    method: str | None
    reference: str | None
    note: str | None
    status: RefundStatus = Field(
        description="`issued`: posted; `pending_approval`: above the threshold, waiting for a second "
        "person; `rejected`: never posted"
    )
    requested_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: RefundRow) -> RefundOut:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            source_kind="payment" if row.source_kind == "payment" else "credit_memo",
            source_id=row.source_id,
            amount=MoneyAmount.from_money(Money(row.amount_minor, row.currency)),
            refund_date=row.refund_date,
            reason_code=row.reason_code,
            method=row.method,
            reference=row.reference,
            note=row.note,
            status=_STATUSES[row.status],
            requested_by=row.requested_by,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            created_at=row.created_at,
        )
