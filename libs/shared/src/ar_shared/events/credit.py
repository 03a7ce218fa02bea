"""Events the credit service emits on `credit.events`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register


class CreditEvent(EventPayload):
    producer = "credit"


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
