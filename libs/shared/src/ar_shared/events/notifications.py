"""Events the notifications service emits on `notifications.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register


class NotificationsEvent(EventPayload):
    producer = "notifications"


@register
class NotificationSent(NotificationsEvent):
    """A message left the platform (accepted by the SMTP server or the webhook receiver)."""

    event_name = "NotificationSent"

    delivery_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Literal["email", "webhook"]
    template_key: str
    recipient: str
    sent_at: datetime
    causing_event_id: uuid.UUID | None = Field(default=None, description="The event that asked for it")


@register
class NotificationFailed(NotificationsEvent):
    """A message could not be delivered after its retries (or was refused by a contact rule)."""

    event_name = "NotificationFailed"

    delivery_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Literal["email", "webhook"]
    template_key: str
    recipient: str
    attempts: int
    last_error: str
    causing_event_id: uuid.UUID | None = None
