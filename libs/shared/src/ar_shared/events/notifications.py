"""Events the notifications service emits on `notifications.events` (key: customer id)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

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
    recipient: str = Field(description="E-mail address or webhook URL")
    sent_at: AwareDatetime
    causing_event_id: uuid.UUID | None = Field(
        default=None,
        description="Id of the event that asked for it (a NotificationRequested or a credit hold event)",
    )


@register
class NotificationFailed(NotificationsEvent):
    """A message was not delivered: retries ran out, the address bounced, or a contact rule refused it."""

    event_name = "NotificationFailed"

    delivery_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Literal["email", "webhook"]
    template_key: str
    recipient: str
    attempts: int = Field(ge=0, description="Delivery attempts made (0 when a contact rule refused it)")
    last_error: str
    causing_event_id: uuid.UUID | None = Field(
        default=None,
        description="Id of the event that asked for it (a NotificationRequested or a credit hold event)",
    )
    outcome: Literal["failed", "bounced", "suppressed"] = Field(
        default="failed",
        description=(
            "failed: every attempt failed (server unreachable, temporary refusals); "
            "bounced: the recipient's mail server refused the address for good, when sending or in a "
            "later bounce report (the address is now suppressed); "
            "suppressed: the address is on the suppression list, nothing was sent"
        ),
    )
