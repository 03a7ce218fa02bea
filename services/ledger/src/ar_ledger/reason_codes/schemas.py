"""API shape of the configured reason codes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReasonCodes(BaseModel):
    """The reason codes this ledger accepts, per kind of document (`LEDGER_*_REASON_CODES`)."""

    credit_memo: list[str] = Field(examples=[["pricing", "damaged_goods", "returns"]])
    write_off: list[str] = Field(examples=[["small_balance", "uncollectable", "bankruptcy"]])
    refund: list[str] = Field(examples=[["overpayment", "duplicate_payment", "credit_balance"]])
