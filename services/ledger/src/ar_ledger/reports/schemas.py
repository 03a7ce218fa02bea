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


class AgingChange(BaseModel):
    """How one figure moved from one date to the next."""

    amount: str = Field(description="Later minus earlier, a signed decimal string", examples=["-250.00"])
    percent: str | None = Field(
        description="The change as a percentage of the earlier amount, one decimal; null when the "
        "earlier amount was zero",
        examples=["-12.5"],
    )


class AgingDelta(BaseModel):
    """The change per bucket (and in total) between two consecutive dates, in one currency."""

    from_as_of: date
    to_as_of: date
    currency: str
    buckets: dict[str, AgingChange] = Field(description="Per bucket label")
    total: AgingChange
    unapplied_cash: AgingChange
    unapplied_credits: AgingChange
    net: AgingChange


class ComparativeAging(BaseModel):
    basis: AgingBasis
    scope: str = Field(examples=["all", "customer:…", "business_entity:DE01,sales_rep:maria@example.com"])
    bucket_labels: list[str]
    reports: list[AgingReport] = Field(description="One totals-only report per date, oldest first")
    deltas: list[AgingDelta] = Field(
        description="Per pair of consecutive dates and currency: the change of each bucket, amount and %"
    )


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
    """KPIs in one currency. Days and percentages have two decimals, rounded half-up once from the
    exact value; null when sales were zero."""

    currency: str
    period_days: int
    credit_sales: str = Field(description="Invoices issued in the period and not void at its end")
    beginning_ar: str = Field(description="Open invoices the day before the period")
    ending_ar: str = Field(description="Open invoices at the end of the period")
    ending_current_ar: str = Field(description="The part of ending AR not yet past due")
    dso: str | None = Field(description="Standard: ending AR / credit sales x days")
    dso_count_back: str | None = Field(
        description="Ending AR walked back over each month's credit sales, newest first (months before "
        "the period too, as far as the AR reaches): the days it covers"
    )
    best_possible_dso: str | None = Field(description="Current AR / credit sales x days")
    average_days_delinquent: str | None = Field(
        description="DSO - best possible DSO, from the unrounded figures, then rounded"
    )
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
