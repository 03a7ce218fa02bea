"""API shapes of dispute and deduction cases and the root-cause report."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_collections.models import DisputeCase, DisputeHistory, DisputeItem
from ar_shared.inputs import BusinessDate, Identifier, Text
from ar_shared.money import Money, MoneyAmount, PositiveMoneyAmount

Code = Annotated[Identifier, Field(min_length=1, max_length=50)]
CaseStatus = Literal["open", "under_review", "resolved_valid", "resolved_invalid", "withdrawn"]


class DisputedItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_id: uuid.UUID
    amount: PositiveMoneyAmount = Field(description="The contested part, at most the invoice's open balance")


class DisputeCreate(BaseModel):
    """A customer contests invoices (or parts): dunning pauses for exactly these items."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "invoice_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                            "amount": {"amount": "120.00", "currency": "EUR"},
                        }
                    ],
                    "reason_code": "pricing",
                    "owner_kind": "department",
                    "owner": "billing",
                    "due_on": "2026-12-31",
                }
            ]
        },
    )

    items: list[DisputedItemIn] = Field(min_length=1, max_length=100)
    reason_code: Code = Field(examples=["pricing", "damaged_goods", "not_received", "short_shipment"])
    root_cause_code: Code | None = Field(default=None, examples=["billing_error", "carrier_damage"])
    owner_kind: Literal["collector", "department"] = "collector"
    owner: Identifier | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="A collector's subject, or a department (billing, sales, logistics …); "
        "by default the collector who opens it",
    )
    description: Text | None = Field(default=None, max_length=4000)
    due_on: BusinessDate | None = Field(
        default=None,
        description="When it should be resolved; by default the business date + the installation's days",
    )


class ItemCredit(BaseModel):
    """The credit a valid resolution grants one item, when less than its disputed amount."""

    model_config = ConfigDict(extra="forbid")

    invoice_id: uuid.UUID
    amount: MoneyAmount = Field(description="0 up to the item's disputed amount; 0 credits nothing")


class DisputeStatusChange(BaseModel):
    """Moves a case on: under review, resolved (valid / invalid) or withdrawn."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "resolved_valid",
                    "root_cause_code": "billing_error",
                    "note": "half of the price difference was agreed",
                    "credits": [
                        {
                            "invoice_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10",
                            "amount": {"amount": "60.00", "currency": "EUR"},
                        }
                    ],
                }
            ]
        },
    )

    status: Literal["under_review", "resolved_valid", "resolved_invalid", "withdrawn"]
    root_cause_code: Code | None = Field(
        default=None, description="Why it happened (needed to resolve a case that has none yet)"
    )
    note: Text | None = Field(
        default=None, max_length=4000, description="Kept in the history; for the customer when invalid"
    )
    credits: list[ItemCredit] | None = Field(
        default=None,
        max_length=100,
        description="Resolved valid only (partly valid): the credit of the items that get less than "
        "their disputed amount; an item not named is credited its whole disputed amount. The rest of "
        "an item is dunned again once its memo arrives; an item credited 0 at once.",
    )


class DisputedItem(BaseModel):
    id: uuid.UUID = Field(description="The item's dispute id (credit keys the disputed amount by it)")
    invoice_id: uuid.UUID
    amount: MoneyAmount
    credited: MoneyAmount | None = Field(description="What a valid resolution credits the item")
    pause_id: uuid.UUID | None
    credit_request_id: uuid.UUID | None = Field(description="The CreditMemoRequested of a valid case")
    credit_memo_id: uuid.UUID | None = Field(description="The ledger's memo that answered it")

    @classmethod
    def of(cls, row: DisputeItem, currency: str) -> DisputedItem:
        return cls(
            id=row.id,
            invoice_id=row.invoice_id,
            amount=MoneyAmount.from_money(Money(row.amount_minor, currency)),
            credited=None
            if row.credit_minor is None
            else MoneyAmount.from_money(Money(row.credit_minor, currency)),
            pause_id=row.pause_id,
            credit_request_id=row.credit_request_id,
            credit_memo_id=row.credit_memo_id,
        )


class StatusChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    note: str | None
    changed_by: str
    changed_on: date
    changed_at: datetime


class Dispute(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: Literal["dispute", "deduction"]
    status: CaseStatus
    closed: bool = Field(description="Resolved and settled: a valid case once its credit memos arrived")
    amount: MoneyAmount = Field(description="Total disputed")
    reason_code: str
    root_cause_code: str | None
    owner_kind: str | None
    owner: str | None
    description: str | None
    due_on: date
    opened_on: date
    resolved_on: date | None
    closed_on: date | None
    resolution_note: str | None
    created_by: str
    created_at: datetime
    items: list[DisputedItem]
    history: list[StatusChange]

    @classmethod
    def of(cls, case: DisputeCase, items: list[DisputeItem], history: list[DisputeHistory]) -> Dispute:
        return cls(
            id=case.id,
            customer_id=case.customer_id,
            kind=case.kind,
            status=case.status,
            closed=case.closed_on is not None,
            amount=MoneyAmount.from_money(Money(sum(i.amount_minor for i in items), case.currency)),
            reason_code=case.reason_code,
            root_cause_code=case.root_cause_code,
            owner_kind=case.owner_kind,
            owner=case.owner,
            description=case.description,
            due_on=case.due_on,
            opened_on=case.opened_on,
            resolved_on=case.resolved_on,
            closed_on=case.closed_on,
            resolution_note=case.resolution_note,
            created_by=case.created_by,
            created_at=case.created_at,
            items=[DisputedItem.of(i, case.currency) for i in items],
            history=[StatusChange.model_validate(h) for h in history],
        )


class RootCauseLine(BaseModel):
    reason_code: str
    root_cause_code: str | None
    cases: int
    amount: MoneyAmount = Field(description="Total disputed in the group")
    resolved: int
    valid: int
    invalid: int
    withdrawn: int
    average_days_to_resolve: Decimal | None = Field(description="Calendar days, opened to resolved")


class RootCauseReport(BaseModel):
    opened_from: date
    opened_to: date
    kind: Literal["dispute", "deduction"] | None
    lines: list[RootCauseLine]


class OpenDispute(BaseModel):
    """A case not closed yet, as the account view shows it."""

    id: uuid.UUID
    kind: Literal["dispute", "deduction"]
    status: CaseStatus
    amount: MoneyAmount = Field(description="Total disputed")
    invoice_ids: list[uuid.UUID]
    reason_code: str
    owner_kind: str | None
    owner: str | None
    opened_on: date
    due_on: date
    age_days: int = Field(description="Days since it was opened, as of the account's business date")
    overdue: bool = Field(description="Its due date is before the business date")
