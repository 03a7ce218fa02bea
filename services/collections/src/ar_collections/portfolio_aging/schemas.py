"""API shapes of portfolio aging and comparative aging."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ar_collections.grouping import GroupBy


class Bucket(BaseModel):
    label: str = Field(examples=["1-30"])
    amount: str
    percent: str = Field(description="Of the line's total, one decimal")


class AgingLine(BaseModel):
    group: str = Field(
        description="The collector's subject, the team's or portfolio's id, the entity, or `all`"
    )
    name: str | None
    currency: str
    total: str
    buckets: list[Bucket]


class Aging(BaseModel):
    as_of: date
    group_by: GroupBy
    bucket_labels: list[str]
    lines: list[AgingLine]


class Change(BaseModel):
    amount: str = Field(description="later - earlier")
    percent: str | None = Field(description="Of the earlier amount, one decimal; null when it was zero")


class AgingDelta(BaseModel):
    group: str
    currency: str
    earlier: date
    later: date
    total: Change
    buckets: dict[str, Change]


class ComparativeAging(BaseModel):
    group_by: GroupBy
    bucket_labels: list[str]
    reports: list[Aging] = Field(description="One per date, oldest first")
    deltas: list[AgingDelta] = Field(description="Between consecutive dates, per group and currency")
