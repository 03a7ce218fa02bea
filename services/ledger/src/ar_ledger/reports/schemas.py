"""API shapes of the as-of reports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

AgingBasis = Literal["due_date", "invoice_date"]


class AgingLine(BaseModel):
    """Open amounts of one customer (or of everyone, in `totals`) in one currency."""

    customer_id: uuid.UUID | None = None
    external_id: str | None = None
    name: str | None = None
    currency: str
    buckets: dict[str, str] = Field(description="Open amount per bucket label, decimal strings")
    percent: dict[str, str] = Field(description="Share of `total` per bucket, one decimal")
    total: str = Field(description="Open invoices, all buckets")
    unapplied_cash: str = Field(description="Shown apart from the buckets")
    unapplied_credits: str
    net: str = Field(description="total - unapplied cash - unapplied credits")
    items: int


class AgingReport(BaseModel):
    as_of: date
    basis: AgingBasis
    bucket_labels: list[str]
    rows: list[AgingLine] = Field(description="Per customer and currency (empty when group_by=total)")
    totals: list[AgingLine] = Field(description="Everyone, per currency")


class ComparativeAging(BaseModel):
    basis: AgingBasis
    bucket_labels: list[str]
    reports: list[AgingReport] = Field(description="One totals-only report per date, oldest first")


class OpenItem(BaseModel):
    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount: str
    open_balance: str
    days_past_due: int
    bucket: str


class OpenItems(BaseModel):
    as_of: date
    items: list[OpenItem]
    totals: dict[str, str] = Field(description="Open amount per currency")
