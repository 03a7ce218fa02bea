"""Events the credit service emits on `credit.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

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
    previous_limit: MoneyAmount | None
    new_limit: MoneyAmount
    changed_by: str
    approved_by: str | None = None
    reason: str


@register
class CreditHoldPlaced(CreditEvent):
    """New orders of the customer are blocked until the hold is released."""

    event_name = "CreditHoldPlaced"

    hold_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str
    source: Literal["policy", "manual"]
    placed_by: str
    placed_at: datetime
    sales_rep: str | None = Field(default=None, description="Who to tell (notifications)")
    note: str | None = None


@register
class CreditHoldReleased(CreditEvent):
    """A hold was lifted: by policy when the customer is back within it, or by a credit manager."""

    event_name = "CreditHoldReleased"

    hold_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str
    source: Literal["policy", "manual"]
    released_by: str
    released_at: datetime
    release_reason: str
    sales_rep: str | None = None


@register
class CreditReviewCompleted(CreditEvent):
    """A credit review scored the customer and recommended a limit."""

    event_name = "CreditReviewCompleted"

    review_id: uuid.UUID
    customer_id: uuid.UUID
    score: int = Field(ge=0, le=100)
    risk_class: str
    recommended_limit: MoneyAmount
    next_review_on: date
    reviewed_by: str
