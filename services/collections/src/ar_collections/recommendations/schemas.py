"""API shapes of write-off and suspension recommendations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ar_collections.models import Recommendation as RecommendationRow
from ar_shared.inputs import Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount


class RecommendationCreate(BaseModel):
    """A collector recommends writing off an invoice amount, or suspending the account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "write_off",
                    "invoice_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                    "amount": {"amount": "35.00", "currency": "EUR"},
                    "reason_code": "uncollectable",
                    "note": "customer insolvent, no assets",
                }
            ]
        },
    )

    kind: Literal["write_off", "suspension"]
    invoice_id: uuid.UUID | None = Field(default=None, description="The invoice to write off (write-offs)")
    amount: PositiveMoneyAmount | None = Field(
        default=None, description="At most the invoice's open balance (write-offs)"
    )
    reason_code: Identifier = Field(
        min_length=1,
        max_length=50,
        description="A write-off reason code of the ledger (small_balance, uncollectable, bankruptcy, "
        "dispute_settlement, goodwill, other), or why the account should be suspended",
        examples=["uncollectable", "persistent_non_payment"],
    )
    note: Text | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind == "write_off" and (self.invoice_id is None or self.amount is None):
            raise ValueError("a write-off names the invoice_id and the amount")
        if self.kind == "suspension" and (self.invoice_id is not None or self.amount is not None):
            raise ValueError("a suspension is of the whole account: no invoice_id or amount")
        return self


class RecommendationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: Text | None = Field(default=None, max_length=4000)


class Recommendation(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: Literal["write_off", "suspension"]
    source: Literal["collector", "strategy", "short_payment"]
    status: Literal["pending", "approved", "rejected"]
    invoice_id: uuid.UUID | None
    amount: MoneyAmount | None
    reason_code: str
    note: str | None
    evidence: dict[str, Any] = Field(
        description="What the recommender saw: the latest activities, the age (days past due) and amounts"
    )
    recommended_by: str
    recommended_on: date
    decided_by: str | None
    decided_on: date | None
    decision_note: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: RecommendationRow) -> Recommendation:
        amount = (
            MoneyAmount.from_money(Money(row.amount_minor, row.currency))
            if row.amount_minor is not None and row.currency is not None
            else None
        )
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            kind=row.kind,
            source=row.source,
            status=row.status,
            invoice_id=row.invoice_id,
            amount=amount,
            reason_code=row.reason_code,
            note=row.note,
            evidence=row.evidence,
            recommended_by=row.recommended_by,
            recommended_on=row.recommended_on,
            decided_by=row.decided_by,
            decided_on=row.decided_on,
            decision_note=row.decision_note,
            created_at=row.created_at,
        )
