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
    rows: list[AgingLine] = Field(
        description="Per customer and currency, one page (empty when group_by=total)"
    )
    totals: list[AgingLine] = Field(description="Everyone in scope, per currency (not just this page)")
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page of rows; null on the last page"
    )


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


class KpiLine(BaseModel):
    """KPIs in one currency. Days are rounded to one decimal; null when sales were zero."""

    currency: str
    period_days: int
    credit_sales: str = Field(description="Invoices issued in the period and not void at its end")
    beginning_ar: str = Field(description="Open invoices the day before the period")
    ending_ar: str = Field(description="Open invoices at the end of the period")
    ending_current_ar: str = Field(description="The part of ending AR not yet past due")
    dso: str | None = Field(description="Standard: ending AR / credit sales x days")
    dso_count_back: str | None
    best_possible_dso: str | None = Field(description="Current AR / credit sales x days")
    average_days_delinquent: str | None = Field(description="DSO - best possible DSO")
    cei_percent: str | None = Field(description="With the whole period's credit sales as the sales basis")


class KpiReport(BaseModel):
    period_start: date
    period_end: date
    scope: str = Field(examples=["all", "customer:…", "business_entity:DE01"])
    lines: list[KpiLine]


class StatementLine(BaseModel):
    date: date
    kind: str = Field(
        examples=["invoice_issued", "payment_received", "credit_memo_issued", "write_off_applied"]
    )
    document_id: uuid.UUID
    amount: str = Field(description="+ increases what the customer owes, - decreases it")
    balance: str


class Statement(BaseModel):
    customer_id: uuid.UUID
    currency: str
    period_start: date
    period_end: date
    opening_balance: str = Field(
        description="Net owed the day before the period (AR - unapplied cash and credits)"
    )
    lines: list[StatementLine]
    closing_balance: str
