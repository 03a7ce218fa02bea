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


class KpiReport(BaseModel):
    period_start: date
    period_end: date
    group_by: GroupBy
    lines: list[KpiLine]
