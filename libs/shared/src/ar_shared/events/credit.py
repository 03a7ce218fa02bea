"""Events the credit service emits on `credit.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register
from ar_shared.money import MoneyAmount


class CreditEvent(EventPayload):
    producer = "credit"


@register
class CreditLimitChanged(CreditEvent):
    """A customer's credit limit changed (after approval where one was needed)."""

    event_name = "CreditLimitChanged"

    customer_id: uuid.UUID
    previous_limit: MoneyAmount | None = Field(description="None when the customer had no limit before")
    new_limit: MoneyAmount
    changed_by: str = Field(description="Who asked for the change")
    approved_by: str | None = Field(
        default=None, description="The second credit manager, when the change needed approval"
    )
    reason: str


@register
class CreditHoldPlaced(CreditEvent):
    """New orders of the customer are blocked until the hold is released."""

    event_name = "CreditHoldPlaced"

    hold_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str = Field(
        description="Policy breaches: past_due, overdue_amount, over_limit; manual holds: the analyst's code",
        examples=["past_due"],
    )
    source: Literal["policy", "manual"]
    placed_by: str = Field(description="The credit analyst, or `credit-policy` for automatic holds")
    placed_at: AwareDatetime
    sales_rep: str | None = Field(default=None, description="E-mail of the customer's sales rep, to be told")
    note: str | None = None


@register
class CreditHoldReleased(CreditEvent):
    """A hold was lifted: by policy when the customer is back within it, or by a credit manager."""

    event_name = "CreditHoldReleased"

    hold_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str = Field(description="The reason code the hold was placed with")
    source: Literal["policy", "manual"] = Field(
        description="How the hold was placed (a manual hold is never released by policy)"
    )
    released_by: str = Field(description="The credit manager, or `credit-policy` when the customer cured")
    released_at: AwareDatetime
    release_reason: str
    sales_rep: str | None = Field(default=None, description="E-mail of the customer's sales rep, to be told")


@register
class CreditReviewCompleted(CreditEvent):
    """A credit review scored the customer and recommended a limit."""

    event_name = "CreditReviewCompleted"

    review_id: uuid.UUID
    customer_id: uuid.UUID
    score: int = Field(ge=0, le=100, description="0 worst to 100 best")
    risk_class: str = Field(
        description="Risk class the score puts the customer in",
        examples=["low", "medium", "high", "very_high"],
    )
    recommended_limit: MoneyAmount
    next_review_on: date
    reviewed_by: str
