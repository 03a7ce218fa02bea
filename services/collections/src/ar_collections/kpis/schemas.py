"""API shapes of the KPI report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from ar_collections.grouping import GroupBy


class KpiLine(BaseModel):
    group: str = Field(
        description="The collector's subject, team or portfolio id, entity, or `all`; '' unassigned"
    )
    name: str | None = Field(description="The collector's, team's or portfolio's name")
    currency: str
    period_days: int
    credit_sales: str
    beginning_ar: str
    ending_ar: str
    ending_current_ar: str
    dso: Decimal | None
    dso_count_back: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei_percent: Decimal | None
    percent_current: Decimal | None = Field(description="Of ending AR, not past due at the period's end")
    percent_over_90: Decimal | None = Field(description="Of ending AR, more than 90 days past due")
    promises_judged: int = Field(description="Promises judged kept, partially kept or broken in the period")
    promises_kept: int
    promises_partially_kept: int
    promises_broken: int
    promised_amount: str = Field(description="Amount promised by the promises judged in the period")
    kept_amount: str = Field(description="Amount promised by the kept ones")
    partially_kept_amount: str = Field(description="Amount promised by the partially kept ones")
    broken_amount: str = Field(description="Amount promised by the broken ones")
    received_on_promises: str = Field(
        description="Cash received on the promised items by each deadline, up to each promise's amount"
    )
    promise_kept_rate: Decimal | None = Field(description="kept / judged x 100 (by count)")
    promise_kept_rate_by_amount: Decimal | None = Field(
        description="received on promises / amount promised x 100"
    )
    contacts: int = Field(
        description="Calls, e-mails, letters and visits (either direction; not notes) in the period"
    )
    working_days: int = Field(description="Monday to Friday in the period")
    contacts_per_working_day: Decimal | None
    disputes_opened: int = Field(description="Dispute and deduction cases opened in the period")
    disputes_resolved: int = Field(description="Resolved valid, invalid or withdrawn in the period")
    average_days_to_resolve: Decimal | None = Field(
        description="Of the cases resolved in the period: resolution date - opening date, averaged"
    )
    disputes_open_at_end: int = Field(description="Opened by the period's end and not resolved by then")
    average_age_open_disputes: Decimal | None = Field(
        description="Of the cases open at the period's end: period end - opening date, averaged"
    )
    collected: str = Field(description="Cash received in the period, not reversed by its end")
    target: str | None = Field(
        description="The group's collection target for exactly this period (month, quarter or year)"
    )
    target_attainment_percent: Decimal | None = Field(description="collected / target x 100")


class KpiReport(BaseModel):
    period_start: date
    period_end: date
    group_by: GroupBy
    lines: list[KpiLine]
