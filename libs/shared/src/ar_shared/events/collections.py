"""Events the collections service emits on `collections.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register
from ar_shared.money import MoneyAmount, MoneyTotal, PositiveMoneyAmount


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
    tolerance_days: int = Field(ge=0, description="Days after promised_date before it counts as broken")
    invoice_ids: list[uuid.UUID] = Field(default_factory=list, description="The invoices the promise covers")
    recorded_by: str = Field(description="The collector who took the promise")
    channel: str | None = Field(default=None, description="How it was given", examples=["call"])


@register
class PromiseToPayKept(CollectionsEvent):
    """Payments covered the promise in full by its deadline (judged as soon as they do). A promise
    paid in part by its deadline is `PromiseToPayPartiallyKept`; `outcome` is then never
    `partially_kept` (kept for consumers of the first version)."""

    event_name = "PromiseToPayKept"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyTotal = Field(description="Cash applied to the promised items by the deadline")
    outcome: Literal["kept", "partially_kept"]
    evaluated_on: date


@register
class PromiseToPayBroken(CollectionsEvent):
    """The promised date plus tolerance passed without the promised payment."""

    event_name = "PromiseToPayBroken"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyTotal = Field(description="Cash applied to the promised items by the deadline (may be 0)")
    evaluated_on: date


@register
class PromiseToPayPartiallyKept(CollectionsEvent):
    """The promised date plus tolerance passed with part of the promised amount paid."""

    event_name = "PromiseToPayPartiallyKept"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyTotal = Field(description="Cash applied to the promised items by the deadline")
    evaluated_on: date


@register
class PromiseToPayReopened(CollectionsEvent):
    """Cash that kept a promise was taken back (payment reversed or unapplied) before its deadline
    passed: the promise is open again and pauses its items until it is judged."""

    event_name = "PromiseToPayReopened"

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    promised: MoneyAmount
    received: MoneyTotal = Field(description="Cash still applied to the promised items")
    reopened_on: date = Field(description="The business date it was reopened")


class PlanInstalment(BaseModel):
    """One instalment of a payment plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=0, description="0 is the down payment, if the plan has one")
    due_date: date
    amount: MoneyAmount
    down_payment: bool = False


@register
class PaymentPlanAgreed(CollectionsEvent):
    """The customer agreed to pay some open items in instalments; their dunning pauses."""

    event_name = "PaymentPlanAgreed"

    plan_id: uuid.UUID
    customer_id: uuid.UUID
    total: MoneyAmount = Field(description="The covered items' open balance, what the instalments add up to")
    instalments: list[PlanInstalment]
    tolerance_days: int = Field(ge=0, description="Days after an instalment's due date before it is missed")
    invoice_ids: list[uuid.UUID] = Field(description="The invoices the plan covers")
    agreed_by: str = Field(description="The collector who set it up")


@register
class PaymentPlanBreached(CollectionsEvent):
    """An instalment was missed beyond the tolerance: the plan ends, its items are dunned again."""

    event_name = "PaymentPlanBreached"

    plan_id: uuid.UUID
    customer_id: uuid.UUID
    missed_instalments: list[int] = Field(description="Numbers of the instalments missed")
    received: MoneyTotal = Field(description="Cash applied to the plan's items since it was agreed")
    breached_on: date


@register
class PaymentPlanCompleted(CollectionsEvent):
    """Every instalment of the plan was paid: the plan closed itself."""

    event_name = "PaymentPlanCompleted"

    plan_id: uuid.UUID
    customer_id: uuid.UUID
    received: MoneyTotal
    completed_on: date


@register
class DisputeOpened(CollectionsEvent):
    """The customer contests an invoice or part of it; dunning pauses for the disputed amount."""

    event_name = "DisputeOpened"

    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    disputed_amount: MoneyAmount = Field(description="The contested part of the invoice")
    reason_code: str = Field(examples=["pricing", "damaged_goods", "not_received"])
    owner: str | None = Field(default=None, description="Who works the dispute")
    case_id: uuid.UUID | None = Field(
        default=None,
        description="The dispute or deduction case the item belongs to (`dispute_id` names the item: "
        "a case of several invoices sends one event per invoice)",
    )


@register
class DisputeResolved(CollectionsEvent):
    """A dispute was closed, in the customer's favour or not."""

    event_name = "DisputeResolved"

    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    resolution: Literal["customer_right", "customer_wrong", "partially_right", "withdrawn"]
    disputed_amount: MoneyAmount = Field(description="The amount that was in dispute, no longer")
    root_cause_code: str | None = Field(default=None, examples=["billing_error"])
    credit_amount: MoneyAmount | None = Field(
        default=None,
        description="Credit granted for the item, if any: less than the disputed amount when "
        "`partially_right` (the rest is dunned again)",
    )
    case_id: uuid.UUID | None = Field(default=None, description="The case the disputed item belongs to")


@register
class CreditMemoRequested(CollectionsEvent):
    """A resolved dispute asks billing / the ledger for a credit memo."""

    event_name = "CreditMemoRequested"

    request_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount = Field(
        description="The credit for this item: its whole disputed amount, or less when the "
        "resolution was partly valid"
    )
    dispute_id: uuid.UUID | None = Field(default=None, description="The dispute whose resolution asks for it")
    reason_code: str
    requested_by: str | None = Field(default=None, description="Who asked, for the ledger's audit record")
    document_ids: list[uuid.UUID] = Field(
        default_factory=list,
        description="The dispute's evidence documents at resolution (collections' "
        "`GET /v1/documents/{id}/content`), oldest first",
    )


@register
class EscalationRaised(CollectionsEvent):
    """An account was escalated (to a manager, legal, or an agency)."""

    event_name = "EscalationRaised"

    escalation_id: uuid.UUID
    customer_id: uuid.UUID
    level: Literal["manager", "department", "legal", "agency"]
    reason: str
    raised_by: str = Field(description="The collector, or the strategy step that escalated")
    department: str | None = Field(default=None, description="The department escalated to (level department)")
    assignee: str | None = Field(default=None, description="The manager whose queue it is in")
    due_on: date | None = Field(default=None, description="When an outcome is expected")


@register
class EscalationResolved(CollectionsEvent):
    """An escalation got its outcome (a manager or the department decided what happens next)."""

    event_name = "EscalationResolved"

    escalation_id: uuid.UUID
    customer_id: uuid.UUID
    outcome: str = Field(examples=["payment plan agreed", "passed to agency"])
    resolved_by: str
    resolved_on: date = Field(description="The business date of the outcome")


@register
class NotificationRequested(CollectionsEvent):
    """Collections asks notifications to send a message (reminder, demand letter, confirmation…)."""

    event_name = "NotificationRequested"

    request_id: uuid.UUID
    customer_id: uuid.UUID
    template_key: str = Field(description="Key of a notifications template", examples=["first_reminder"])
    locale: str = Field(
        default="en",
        description="BCP 47 tag; falls back to the language, then the default",
        examples=["de-DE"],
    )
    channel: Literal["email", "webhook"]
    recipient: str = Field(description="E-mail address or webhook URL")
    context: dict[str, Any] = Field(
        default_factory=dict,
        description="Template variables, complete so notifications never calls back (e.g. open_items)",
    )
    causing_event_id: uuid.UUID | None = Field(
        default=None,
        description="The event that led collections to ask (e.g. an AccountPastDue or PromiseToPayBroken)",
    )
    business_entity: str | None = Field(
        default=None,
        description="The customer's business entity, kept on the delivery log so it can be filtered by "
        "entity (none: notifications takes the entity it knows for the customer)",
        examples=["DE01"],
    )


@register
class CreditHoldRecommended(CollectionsEvent):
    """A dunning step recommends a credit hold: credit places one of source `collections` (once
    per customer while it is active); releasing it stays a credit decision."""

    event_name = "CreditHoldRecommended"

    recommendation_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str = Field(default="collections_recommendation", examples=["collections_recommendation"])
    days_past_due: int = Field(description="Days past due of the account's oldest open item when recommended")
    recommended_by: str = Field(description="The strategy step, e.g. `strategy:standard@2`")


class ChargedItem(BaseModel):
    """An open item a late-payment interest charge was computed from."""

    invoice_id: uuid.UUID
    open_balance: MoneyTotal = Field(description="The item's open balance interest ran on")
    interest_from: date = Field(description="The first day late counted")
    days_late: int = Field(ge=1, description="Days late counted: interest_from up to as_of, both included")
    interest: MoneyTotal = Field(description="The item's interest, rounded half to even to the minor unit")


@register
class DunningChargeRequested(CollectionsEvent):
    """A dunning step charges the customer a dunning fee or late-payment interest: the ledger issues
    one fee document per `request_id` (an open item of the customer, due at once)."""

    event_name = "DunningChargeRequested"

    request_id: uuid.UUID = Field(
        description="Derived from the account, dunning cycle, step and kind: a retried run asks again "
        "with the same id, and the ledger issues the document once"
    )
    customer_id: uuid.UUID
    kind: Literal["fee", "interest"]
    amount: PositiveMoneyAmount = Field(description="More than zero, in the customer's currency")
    as_of: date = Field(description="The business date charged for (the fee document's issue date)")
    level: int | None = Field(default=None, description="The dunning level of a fee")
    day_count: Literal["act_365", "act_360"] | None = Field(
        default=None, description="Interest: the day-count basis"
    )
    invoice_ids: list[uuid.UUID] = Field(
        default_factory=list, description="The overdue items the charge was computed from"
    )
    days_past_due: int = Field(description="Days past due of the account's oldest overdue item")
    items: list[ChargedItem] = Field(
        default_factory=list, description="Interest: per item, the balance, days late and interest"
    )
    strategy: str = Field(description="The strategy step that charged, e.g. `strategy:standard@2`")
    step_days: int = Field(description="The step's days past due")


@register
class WriteOffRecommended(CollectionsEvent):
    """A strategy step, a collector or a short payment recommends writing off an invoice amount (a
    manager other than the recommender approves it: `WriteOffApproved`)."""

    event_name = "WriteOffRecommended"

    recommendation_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount = Field(description="The amount to write off (at most the invoice's open balance)")
    reason_code: str
    recommended_by: str | None = Field(
        default=None, description="The collector, `strategy:<name>@<version>`, or `collections-system`"
    )


@register
class WriteOffApproved(CollectionsEvent):
    """A manager approved a write-off recommendation: the ledger writes the amount off, once per
    recommendation however often the event arrives (capped at the invoice's open balance then)."""

    event_name = "WriteOffApproved"

    recommendation_id: uuid.UUID = Field(description="The recommendation; the ledger's request id")
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount
    reason_code: str = Field(examples=["small_balance", "uncollectable"])
    effective_date: date = Field(description="The business date of the approval")
    recommended_by: str
    approved_by: str
    note: str | None = None


@register
class AccountSuspensionRecommended(CollectionsEvent):
    """A manager approved suspending the account: the order system stops taking its orders (a
    `CreditHoldRecommended` goes to credit with it)."""

    event_name = "AccountSuspensionRecommended"

    recommendation_id: uuid.UUID
    customer_id: uuid.UUID
    reason_code: str = Field(examples=["persistent_non_payment"])
    recommended_by: str
    approved_by: str
    approved_on: date = Field(description="The business date of the approval")
    note: str | None = None


@register
class AccountAssigned(CollectionsEvent):
    """An account moved to a portfolio (and so to its collector), by an assignment rule or by hand."""

    event_name = "AccountAssigned"

    customer_id: uuid.UUID
    portfolio_id: uuid.UUID | None = Field(description="None: no rule matches; only managers see the account")
    collector: str | None = Field(description="Token subject of the portfolio's collector")
    previous_portfolio_id: uuid.UUID | None
    source: Literal["rule", "manual"]
    rule_id: uuid.UUID | None = Field(default=None, description="The assignment rule that matched")
    reason: str | None = Field(default=None, description="Why a manager moved it (manual moves)")
    assigned_by: str = Field(description="The manager, or `collections-system` for rules")
    effective_on: date = Field(description="The business date of the move")


@register
class CollectionTaskCreated(CollectionsEvent):
    """Work to do on an account by a date: a follow-up, a call, a letter, a review."""

    event_name = "CollectionTaskCreated"

    task_id: uuid.UUID
    customer_id: uuid.UUID
    kind: Literal["call", "email", "letter", "visit", "follow_up", "review"]
    title: str
    due_on: date
    sla_due_on: date | None = Field(default=None, description="When the task breaches its SLA")
    assignee: str | None = Field(default=None, description="None: whoever works the account")
    source: Literal["collector", "activity", "workflow"]
    created_by: str


@register
class CollectionTaskCompleted(CollectionsEvent):
    """A task was done (or cancelled), by whom and on which business date."""

    event_name = "CollectionTaskCompleted"

    task_id: uuid.UUID
    customer_id: uuid.UUID
    kind: Literal["call", "email", "letter", "visit", "follow_up", "review"]
    outcome: Literal["completed", "cancelled"]
    completed_on: date
    completed_by: str
    activity_id: uuid.UUID | None = Field(default=None, description="The activity that did it, if any")


@register
class ActivityLogged(CollectionsEvent):
    """A collector logged a call, an e-mail, a letter, a note or a visit on an account."""

    event_name = "ActivityLogged"

    activity_id: uuid.UUID
    customer_id: uuid.UUID
    kind: Literal["call", "email", "letter", "note", "visit"]
    direction: Literal["inbound", "outbound"] | None = None
    outcome: str | None = Field(default=None, description="An outcome code of the installation")
    occurred_at: AwareDatetime
    occurred_on: date = Field(description="The business date it happened on")
    duration_seconds: int | None = Field(default=None, ge=0)
    next_follow_up_on: date | None = Field(default=None, description="A follow-up task is due then")
    logged_by: str
