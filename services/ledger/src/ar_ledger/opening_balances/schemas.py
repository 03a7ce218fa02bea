"""API shape of an opening-balance load."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class OpenedTotal(BaseModel):
    currency: str
    invoices: str = Field(description="Open invoices posted by this load")
    credits: str = Field(description="Unapplied credits posted by this load")


class OpeningBalanceLoad(BaseModel):
    invoices_posted: int = Field(description="Open invoices posted (original dates kept)")
    credits_posted: int = Field(description="Credits posted as unapplied credit memos")
    already_loaded: int = Field(
        description="Items found posted already with the same values (a file loaded twice): left as they are"
    )
    totals: list[OpenedTotal] = Field(description="What this load posted, per currency")
    invoice_ids: list[uuid.UUID]
    credit_memo_ids: list[uuid.UUID]
