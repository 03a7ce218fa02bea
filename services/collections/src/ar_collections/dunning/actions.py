"""What a fired step does: a message through notifications (one per customer, listing every
unpaused open item at that level with totals), a call task with its SLA, or an escalation to
the manager of the portfolio's team (an `EscalationRaised` and a review task for the manager),
or a credit hold recommendation (`CreditHoldRecommended`: credit places a hold of source
`collections`).
Every event goes through the outbox, in the transaction of the run's chunk: a chunk's steps
collect their effects, written together when the chunk is decided (its tasks in one statement,
its events in one, in the order the steps fired)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.domain import dunning
from ar_collections.models import Account, OpenItem, Task
from ar_collections.recording import outbox
from ar_collections.tasks.service import store_tasks, task_created
from ar_shared.audit.log import SystemActor
from ar_shared.events import EventPayload
from ar_shared.events.collections import CreditHoldRecommended, EscalationRaised, NotificationRequested
from ar_shared.money import format_minor

SYSTEM = SystemActor(SYSTEM_SUBJECT)
# request ids are derived from the account, cycle and step: a retried chunk asks for the same message
NAMESPACE = uuid.UUID("6b0e3f1c-5d0a-4c55-9a3e-1f2b7c9d0e41")


@dataclass(frozen=True)
class Firing:
    run_id: uuid.UUID
    account: Account
    step: dunning.Step
    strategy: str
    version: int
    cycle: int
    as_of: date
    items: Sequence[OpenItem]
    manager: str | None


@dataclass
class Effects:
    """What a chunk's fired steps do, kept until the chunk is decided."""

    events: list[EventPayload] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    def extend(self, other: Effects) -> None:
        self.events.extend(other.events)
        self.tasks.extend(other.tasks)

    def task(self, task: Task) -> Task:
        self.tasks.append(task)
        self.events.append(task_created(task))
        return task


async def write(session: AsyncSession, effects: Effects) -> None:
    await store_tasks(session, SYSTEM, effects.tasks)
    if effects.events:
        # COPY: a chunk emits hundreds of events; the envelopes are those add_many writes
        await outbox.copy_many(session, effects.events)


def request_id(firing: Firing) -> uuid.UUID:
    key = f"{firing.account.customer_id}:{firing.cycle}:{firing.step.days}"
    return uuid.uuid5(NAMESPACE, key)


def letter_context(firing: Firing) -> dict[str, Any]:
    """The template variables: the open items at this level and their totals per currency."""
    listed = [
        dunning.OpenItemFacts(i.invoice_id, i.due_date, i.currency, i.open_minor, False) for i in firing.items
    ]
    chosen = {f.invoice_id for f in dunning.items_for_step(listed, firing.step, firing.as_of)}
    items = [i for i in firing.items if i.invoice_id in chosen]
    totals: dict[str, int] = {}
    exponents: dict[str, int] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, 0) + item.open_minor
        exponents[item.currency] = item.exponent
    return {
        "customer_name": firing.account.name,
        "business_date": firing.as_of.isoformat(),
        "action": firing.step.action,
        "days_past_due": (firing.as_of - min(i.due_date for i in items)).days if items else 0,
        "open_items": [
            {
                "invoice_id": str(i.invoice_id),
                "invoice_number": i.invoice_number,
                "due_date": i.due_date.isoformat(),
                "open_balance": format_minor(i.open_minor, i.exponent),
                "currency": i.currency,
                "days_past_due": max((firing.as_of - i.due_date).days, 0),
            }
            for i in items
        ],
        "totals": {c: format_minor(m, exponents[c]) for c, m in sorted(totals.items())},
    }


def fire(firing: Firing, effects: Effects) -> dict[str, Any]:
    """Does the step's action (into `effects`); returns what it did (kept with the fired step)."""
    step, account = firing.step, firing.account
    if step.action in dunning.MESSAGE_ACTIONS:
        assert step.template_key is not None
        assert account.contact_email is not None
        context = letter_context(firing)
        rid = request_id(firing)
        effects.events.append(
            NotificationRequested(
                request_id=rid,
                customer_id=account.customer_id,
                template_key=step.template_key,
                locale=step.locale,
                channel="email",
                recipient=account.contact_email,
                context=context,
            ),
        )
        return {
            "request_id": str(rid),
            "template_key": step.template_key,
            "items": len(context["open_items"]),
        }
    if step.action == "call_task":
        task = effects.task(
            Task(
                id=uuid.uuid4(), customer_id=account.customer_id, kind="call",
                title=f"Call: {firing.strategy} step at {step.days} days past due",
                due_on=firing.as_of, sla_due_on=firing.as_of + timedelta(days=step.sla_days),
                status="open", source="workflow", created_by=SYSTEM_SUBJECT,
            ),
        )  # fmt: skip
        return {"task_id": str(task.id)}
    if step.action == "recommend_credit_hold":
        recommendation_id = request_id(firing)
        effects.events.append(
            CreditHoldRecommended(
                recommendation_id=recommendation_id,
                customer_id=account.customer_id,
                days_past_due=max([(firing.as_of - i.due_date).days for i in firing.items], default=0),
                recommended_by=f"strategy:{firing.strategy}@{firing.version}",
            ),
        )
        return {"recommendation_id": str(recommendation_id)}
    # escalate
    escalation_id = uuid.uuid4()
    effects.events.append(
        EscalationRaised(
            escalation_id=escalation_id,
            customer_id=account.customer_id,
            level="manager",
            reason=f"{firing.strategy} v{firing.version}: {step.days} days past due",
            raised_by=f"strategy:{firing.strategy}@{firing.version}",
        ),
    )
    task = effects.task(
        Task(
            id=uuid.uuid4(), customer_id=account.customer_id, kind="review",
            title=f"Escalated: {step.days} days past due", due_on=firing.as_of, status="open",
            assignee_subject=firing.manager, source="workflow", created_by=SYSTEM_SUBJECT,
        ),
    )  # fmt: skip
    return {"escalation_id": str(escalation_id), "task_id": str(task.id), "manager": firing.manager}
