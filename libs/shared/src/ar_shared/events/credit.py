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
class CreditRiskClassChanged(CreditEvent):
    """A customer's credit profile was given another risk class (or its first one): set by a credit
    manager, approved with a limit request, or applied when a profile filed ahead of the customer
    attached. The class decides the customer's credit policy; collections keys assignment rules,
    worklist scores and strategy segments on it."""

    event_name = "CreditRiskClassChanged"

    customer_id: uuid.UUID
    previous_risk_class: str | None = Field(
        description="None when the customer had no credit profile before",
        examples=["medium"],
    )
    risk_class: str = Field(
        description="The class the profile has now (it selects the customer's credit policy)",
        examples=["low", "medium", "high", "very_high"],
    )
    profile_version: int = Field(
        ge=1,
        description="The credit profile's version after the change; grows with every change of the "
        "profile, so a consumer keeps the class of the highest version it has seen and ignores an "
        "older change that arrives late",
    )
    changed_by: str = Field(description="Who set the profile (the requester, when it needed approval)")
    approved_by: str | None = Field(
        default=None, description="The second credit manager, when the change needed approval"
    )
    reason: str = Field(description="Why the profile was set, as the credit manager gave it")
    changed_at: AwareDatetime = Field(description="When credit applied the change")


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
    source: Literal["policy", "manual", "collections"]
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
    source: Literal["policy", "manual", "collections"] = Field(
        description="How the hold was placed (a manual or collections hold is never released by policy)"
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


@register
class CreditPolicyChanged(CreditEvent):
    """A credit manager changed the policy of a risk class; its customers were re-evaluated against
    it in the same transaction. Keyed by the risk class, not by a customer."""

    event_name = "CreditPolicyChanged"
    subject_field = "risk_class"

    risk_class: str = Field(examples=["low", "medium", "high", "very_high"])
    max_days_past_due: int = Field(
        ge=0, description="Hold when the oldest open invoice is more days past due than this"
    )
    max_overdue_amounts: list[MoneyAmount] = Field(
        description="Hold when the overdue amount passes this, per currency (none: no such hold in it)"
    )
    limit_tolerance_percent: str = Field(
        description="Hold when exposure passes the limit by more than this (decimal string)",
        examples=["5.00"],
    )
    auto_hold: bool = Field(description="False: the policy places no hold for this class (manual holds only)")
    policy_version: int = Field(description="The policy's version after the change (its ETag)")
    changed_by: str


@register
class CreditDecisionChanged(CreditEvent):
    """The credit decision of a sales order changed without the order system asking: a blocked
    order released because the customer's hold was lifted or its exposure fell back under the
    limit (`changed_by` `credit-policy`), a credit manager's override, or a still-blocked order
    refused for other reasons now."""

    event_name = "CreditDecisionChanged"

    order_reference: str
    customer_id: uuid.UUID
    business_entity: str
    amount: MoneyAmount
    previous_status: Literal["approved", "refused", "released", "cancelled", "invoiced"]
    status: Literal["approved", "refused", "released", "cancelled", "invoiced"] = Field(
        description="`approved` or `released`: the order may ship; `refused`: still blocked"
    )
    decision: Literal["approved", "over_limit", "held"]
    reason_codes: list[str] = Field(description="Why it is still blocked (empty when it may ship)")
    business_date: date = Field(description="The business date of the customer's entity it was judged on")
    changed_by: str = Field(description="The credit manager, or `credit-policy` for automatic releases")
