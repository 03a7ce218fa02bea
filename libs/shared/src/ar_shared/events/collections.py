"""Events the collections service emits on `collections.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register
from ar_shared.money import MoneyAmount


class CollectionsEvent(EventPayload):
    producer = "collections"


@register
class PromiseToPayRecorded(CollectionsEvent):
    """The customer promised to pay an amount by a date; dunning pauses while it is live."""

    event_name = "PromiseToPayRecorded"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyAmount
    promised_date: date
    tolerance_days: int = Field(ge=0)
    invoice_ids: list[uuid.UUID] = Field(default_factory=list)
    recorded_by: str


@register
class PromiseToPayKept(CollectionsEvent):
    """Payments covered the promise (fully, or partially within its tolerance)."""

    event_name = "PromiseToPayKept"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyAmount
    outcome: Literal["kept", "partially_kept"]
    evaluated_on: date


@register
class PromiseToPayBroken(CollectionsEvent):
    """The promised date plus tolerance passed without the promised payment."""

    event_name = "PromiseToPayBroken"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyAmount
    evaluated_on: date


@register
class DisputeOpened(CollectionsEvent):
    """The customer contests an invoice or part of it; dunning pauses for the disputed amount."""

    event_name = "DisputeOpened"

    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    disputed_amount: MoneyAmount
    reason_code: str
    owner: str | None = None


@register
class DisputeResolved(CollectionsEvent):
    """A dispute was closed, in the customer's favour or not."""

    event_name = "DisputeResolved"

    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    resolution: Literal["customer_right", "customer_wrong", "partially_right", "withdrawn"]
    disputed_amount: MoneyAmount = Field(description="The amount that was in dispute, no longer")
    root_cause_code: str | None = None
    credit_amount: MoneyAmount | None = Field(default=None, description="Credit granted, if any")


@register
class CreditMemoRequested(CollectionsEvent):
    """A resolved dispute asks billing / the ledger for a credit memo."""

    event_name = "CreditMemoRequested"

    request_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount
    dispute_id: uuid.UUID | None = None
    reason_code: str


@register
class EscalationRaised(CollectionsEvent):
    """An account was escalated (to a manager, legal, or an agency)."""

    event_name = "EscalationRaised"

    escalation_id: uuid.UUID
    customer_id: uuid.UUID
    level: Literal["manager", "legal", "agency"]
    reason: str
    raised_by: str


@register
class NotificationRequested(CollectionsEvent):
    """Collections asks notifications to send a message (reminder, demand letter, confirmation…)."""

    event_name = "NotificationRequested"

    request_id: uuid.UUID
    customer_id: uuid.UUID
    template_key: str = Field(examples=["first_reminder"])
    locale: str = Field(default="en", examples=["en", "de-DE"])
    channel: Literal["email", "webhook"]
    recipient: str = Field(description="E-mail address or webhook URL")
    context: dict[str, Any] = Field(default_factory=dict, description="Template variables")


@register
class WriteOffRecommended(CollectionsEvent):
    """A strategy step recommends writing off an invoice amount (for a person to approve)."""

    event_name = "WriteOffRecommended"

    recommendation_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount
    reason_code: str
