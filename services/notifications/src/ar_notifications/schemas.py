"""API shapes more than one package answers with, a level below them: a delivery (the delivery log
and a bounce report's answer) and a suppression-list entry (the list and a bounce report's answer).
Each package keeps its own request shapes; none imports another's schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SuppressionReason = Literal["hard_bounce", "complaint", "unsubscribed", "do_not_contact", "legal"]
Status = Literal["queued", "sent", "failed", "bounced", "suppressed"]


class DeliveryOut(BaseModel):
    id: uuid.UUID
    causing_event_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    business_entity: str | None = Field(
        default=None, description="The customer's business entity (null: no customer, or none known)"
    )
    channel: str
    template_key: str
    template_version: int | None = Field(
        default=None, description="Version of the template rendered (0: the shipped default)"
    )
    locale: str
    request_id: uuid.UUID | None = Field(default=None, description="The request that asked for the message")
    recipient: str
    status: Status
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    message_id: str | None = Field(
        description="Message-ID header of the e-mail (bounce reports may name it); null for webhooks"
    )
    sent_at: datetime | None
    created_at: datetime


class Suppression(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    address: str
    reason: SuppressionReason
    note: str | None
    created_by: str
    created_at: datetime
