"""API shapes of bounce reports."""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ar_notifications.bounces.rules import BounceKind
from ar_notifications.schemas import DeliveryOut, Suppression
from ar_shared.inputs import EmailAddress, Identifier, Text


class BounceReport(BaseModel):
    """A bounce or complaint a mail provider or bounce processor saw for a message we sent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "message_id": "<0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10@example.com>",
                    "kind": "hard",
                    "diagnostic": "550 5.1.1 <ap@acme.example>: user unknown",
                    "recipient": "ap@acme.example",
                }
            ]
        },
    )

    delivery_id: uuid.UUID | None = Field(default=None, description="The delivery, by its id")
    message_id: Identifier | None = Field(
        default=None,
        min_length=3,
        max_length=998,
        description="...or by the Message-ID header of the e-mail (angle brackets optional)",
    )
    kind: BounceKind = Field(
        description=(
            "hard: the address does not exist or refuses mail for good; "
            "soft: a temporary failure (mailbox full, greylisting); "
            "complaint: the recipient marked the message as spam"
        )
    )
    diagnostic: Text | None = Field(
        default=None, max_length=2000, description="What the receiving server said, as reported"
    )
    recipient: EmailAddress | None = Field(
        default=None, description="The bounced address as reported; must be the delivery's recipient"
    )

    @field_validator("message_id")
    @classmethod
    def _in_angle_brackets(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value if value.startswith("<") else f"<{value}>"

    @model_validator(mode="after")
    def _names_a_delivery(self) -> Self:
        if self.delivery_id is None and self.message_id is None:
            raise ValueError("give delivery_id or message_id to say which message bounced")
        return self


class BounceRecorded(BaseModel):
    delivery: DeliveryOut = Field(description="The delivery as it is now")
    suppression: Suppression | None = Field(
        description="The recipient's entry on the suppression list, if it has one"
    )
    changed: bool = Field(description="False when this report had been applied already (a repeat)")
