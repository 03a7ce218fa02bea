"""API shapes of accounts and the account view."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ar_collections.activities.schemas import Activity
from ar_collections.contact_policy.schemas import DoNotContact
from ar_collections.disputes.schemas import OpenDispute
from ar_collections.dunning.schemas import DunningStanding, LetterSent
from ar_collections.escalations.schemas import Escalation
from ar_collections.plans.schemas import Plan
from ar_collections.portfolios.schemas import Assignment
from ar_collections.promises.schemas import PromiseStanding
from ar_collections.recommendations.schemas import Recommendation
from ar_collections.tasks.schemas import Task
from ar_collections.worklist.schemas import Sla
from ar_shared.inputs import Identifier
from ar_shared.money import MoneyTotal

AttributeText = Annotated[Identifier, Field(min_length=1, max_length=200)]


class AccountAttributes(BaseModel):
    """What the ledger does not know and the assignment rules may read. Replaces all three."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"country": "DE", "region": "DACH", "attributes": {"segment": "enterprise"}}]
        },
    )

    country: AttributeText | None = None
    region: AttributeText | None = None
    attributes: dict[AttributeText, AttributeText] = Field(default_factory=dict, max_length=50)


class AccountSummary(BaseModel):
    customer_id: uuid.UUID
    external_id: str
    name: str
    currency: str
    business_entity: str
    sales_rep: str | None
    contact_email: str | None
    time_zone: str
    payment_terms_days: int | None
    country: str | None
    region: str | None
    attributes: dict[str, Any]
    portfolio_id: uuid.UUID | None
    last_contact_on: date | None


class Balance(BaseModel):
    currency: str
    open_balance: MoneyTotal
    overdue: MoneyTotal
    current: MoneyTotal
    unapplied_cash: MoneyTotal
    unapplied_credits: MoneyTotal
    net: MoneyTotal = Field(description="Open balance less unapplied cash and credits")


class AgingLine(BaseModel):
    currency: str
    buckets: dict[str, str] = Field(description="Open amount per bucket label, decimal strings")


class OpenItem(BaseModel):
    invoice_id: uuid.UUID
    invoice_number: str
    issue_date: date
    due_date: date
    amount: MoneyTotal
    open_balance: MoneyTotal
    days_past_due: int
    bucket: str
    po_number: str | None
    reason_code: str | None
    reason_note: str | None


class LastPayment(BaseModel):
    payment_id: uuid.UUID
    received_on: date
    amount: MoneyTotal
    method: str | None


class CreditHold(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    hold_id: uuid.UUID
    reason_code: str
    source: str
    placed_by: str
    placed_at: datetime
    note: str | None


class CreditStanding(BaseModel):
    risk_class: str | None
    score: int | None
    credit_limit: MoneyTotal | None
    next_review_on: date | None


class AccountView(BaseModel):
    """Everything a collector's screen shows for one account, as of its business date."""

    account: AccountSummary
    business_date: date
    assignment: Assignment
    credit: CreditStanding
    balances: list[Balance]
    aging: list[AgingLine]
    oldest_days_past_due: int
    bucket: str
    open_items: list[OpenItem] = Field(description="Oldest due first (up to the view's limit)")
    open_item_count: int
    last_payment: LastPayment | None
    credit_holds: list[CreditHold] = Field(description="Holds in force")
    do_not_contact: DoNotContact | None
    recent_activities: list[Activity] = Field(description="The last contacts and notes, newest first")
    open_tasks: list[Task]
    sla: Sla | None = Field(description="The account's most urgent SLA on the business date")
    dunning: DunningStanding = Field(description="Its dunning strategy and current level")
    promises: PromiseStanding = Field(description="Live promises to pay, and how earlier ones were judged")
    payment_plans: list[Plan] = Field(description="Active payment plans, with each instalment's status")
    letters: list[LetterSent] = Field(
        default_factory=list,
        description="Letters its dunning steps sent, latest first (at most 20); notifications prints "
        "each: `GET /v1/letters?request_id=...`",
    )
    open_disputes: list[OpenDispute] = Field(
        description="Dispute and deduction cases not closed yet (a valid one until its credit memos "
        "arrived), oldest first, with their disputed amounts and age"
    )
    pending_recommendations: list[Recommendation] = Field(
        description="Write-off and suspension recommendations waiting for a manager, oldest first"
    )
    open_escalations: list[Escalation] = Field(
        description="Escalations without an outcome, earliest due first"
    )
