"""API shapes of letters."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ar_notifications.schemas import Status


class Letter(BaseModel):
    """A message rendered for a customer (a reminder, a demand letter, a final notice …)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The delivery's id: `GET /v1/letters/{id}/printable` prints it")
    customer_id: uuid.UUID
    request_id: uuid.UUID | None = Field(
        description="The request that asked for it (a dunning step's `request_id` in collections); "
        "null for messages queued otherwise"
    )
    template_key: str
    template_version: int | None = Field(
        description="Version of the template rendered; 0 is the shipped default, null before it was kept"
    )
    locale: str
    recipient: str
    subject: str
    status: Status
    created_at: datetime = Field(description="When it was rendered")
    sent_at: datetime | None


class LetterDetail(Letter):
    body_text: str
    body_html: str = Field(description="The HTML body as rendered (the printable page wraps it)")
