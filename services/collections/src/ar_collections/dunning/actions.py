"""What a fired step does: a message through notifications (one per customer, listing every
unpaused open item at that level with totals), a call task with its SLA, or an escalation to
the manager of the portfolio's team (an `EscalationRaised` and a review task for the manager),
or a credit hold recommendation (`CreditHoldRecommended`: credit places a hold of source
`collections`), a write-off (each overdue unpaused item's open balance) or suspension
recommendation for a manager to decide, or a dunning fee and/or late-payment interest
(`DunningChargeRequested`, see charges/firing.py).
Every event goes through the outbox, in the transaction of the run's chunk: messages, call tasks,
escalations and hold recommendations collect their effects, written together when the chunk is
decided (its escalations in one statement, its tasks in one, its events in one, in the order the
steps fired); the steps whose records are found again by their ids (recommendations, charges)
act once their step is claimed (`act_later`), after those."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.charges.firing import charge
from ar_collections.domain import dunning
from ar_collections.dunning.repository import DunnedAccount, DunnedItem
from ar_collections.escalations.service import NewEscalation, escalation_raised, store_new_escalations
from ar_collections.models import Recommendation
from ar_collections.recommendations.service import add_recommendation
from ar_collections.recording import outbox
from ar_collections.tasks.repository import NewTask
from ar_collections.tasks.service import store_new_tasks, task_created
from ar_shared.audit.log import SystemActor
from ar_shared.events import EventPayload
from ar_shared.events.collections import CreditHoldRecommended, NotificationRequested
from ar_shared.money import format_minor

SYSTEM = SystemActor(SYSTEM_SUBJECT)
# request ids are derived from the account, cycle and step: a retried chunk asks for the same message
NAMESPACE = uuid.UUID("6b0e3f1c-5d0a-4c55-9a3e-1f2b7c9d0e41")


@dataclass(frozen=True)
class Firing:
    run_id: uuid.UUID
    account: DunnedAccount  # with the manager escalations go to
    step: dunning.Step
    strategy: str
    version: int
    cycle: int
    as_of: date
    items: Sequence[DunnedItem]


@dataclass
class Effects:
    """What a chunk's fired steps do, kept until the chunk is decided."""

    events: list[EventPayload] = field(default_factory=list)
    tasks: list[NewTask] = field(default_factory=list)
    escalations: list[NewEscalation] = field(default_factory=list)
    reviews: list[NewTask] = field(default_factory=list)  # the escalations' tasks for their managers

    def extend(self, other: Effects) -> None:
        self.events.extend(other.events)
        self.tasks.extend(other.tasks)
        self.escalations.extend(other.escalations)
        self.reviews.extend(other.reviews)

    def task(self, task: NewTask) -> NewTask:
        self.tasks.append(task)
        self.events.append(task_created(task))
        return task

    def escalation(self, escalation: NewEscalation, review: NewTask) -> None:
        self.escalations.append(escalation)
        self.reviews.append(review)
        self.events.extend((escalation_raised(escalation), task_created(review)))


async def write(session: AsyncSession, effects: Effects) -> None:
    """The chunk's tasks, then its escalations and their review tasks (each account's audit chain
    in that order), then its events."""
    await store_new_tasks(session, SYSTEM, effects.tasks)
    await store_new_escalations(session, SYSTEM, effects.escalations)
    await store_new_tasks(session, SYSTEM, effects.reviews)
    if effects.events:
        # one statement: a chunk emits hundreds of events, their envelopes built by PostgreSQL
        await outbox.insert_many(session, effects.events)


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


RECORDED_ACTIONS = ("recommend_write_off", "recommend_suspension", "charge_fee")


def acts_later(step: dunning.Step) -> bool:
    """Whether the step keeps records of its own (through their services, once it is claimed)."""
    return step.action in RECORDED_ACTIONS or step.charge_interest


def fire(firing: Firing, effects: Effects) -> dict[str, Any]:
    """Does a message, call task, escalation or hold recommendation step (into `effects`); returns
    what it did (kept with the fired step)."""
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
                business_entity=account.business_entity,
            ),
        )
        return {
            "request_id": str(rid),
            "template_key": step.template_key,
            "items": len(context["open_items"]),
        }
    if step.action == "call_task":
        task = effects.task(
            NewTask(
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
    if step.action == "escalate":
        return _escalate(firing, effects)
    return {}  # the others act once claimed: act_later


def _escalate(firing: Firing, effects: Effects) -> dict[str, Any]:
    """A record in the manager's queue (announced as EscalationRaised) and a review task."""
    step, account = firing.step, firing.account
    escalation = NewEscalation(
        id=uuid.uuid4(), customer_id=account.customer_id, level="manager", assignee=account.manager,
        reason=f"{firing.strategy} v{firing.version}: {step.days} days past due", due_on=firing.as_of,
        status="open", raised_by=f"strategy:{firing.strategy}@{firing.version}", raised_on=firing.as_of,
    )  # fmt: skip
    task = NewTask(
        id=uuid.uuid4(), customer_id=account.customer_id, kind="review",
        title=f"Escalated: {step.days} days past due", due_on=firing.as_of, status="open",
        assignee_subject=account.manager, source="workflow", created_by=SYSTEM_SUBJECT,
    )  # fmt: skip
    effects.escalation(escalation, task)
    return {"escalation_id": str(escalation.id), "task_id": str(task.id), "manager": account.manager}


async def act_later(session: AsyncSession, firing: Firing) -> dict[str, Any]:
    """A claimed step's own records: an escalation or recommendations, and the charges it makes."""
    step = firing.step
    recorded = step.action in RECORDED_ACTIONS and step.action != "charge_fee"
    done = await _recommend(session, firing) if recorded else {}
    if step.action == "charge_fee" or step.charge_interest:
        done["charges"] = await charge(
            session, account=firing.account, items=firing.items, as_of=firing.as_of, cycle=firing.cycle,
            step_days=step.days, fee_level=step.fee_level, with_interest=step.charge_interest,
            strategy=f"strategy:{firing.strategy}@{firing.version}",
        )  # fmt: skip
    return done


async def _recommend(session: AsyncSession, firing: Firing) -> dict[str, Any]:
    """Recommendations named after the account, cycle and step (and item): a retried chunk finds them."""
    base = request_id(firing)
    by = f"strategy:{firing.strategy}@{firing.version}"
    customer_id = firing.account.customer_id
    if firing.step.action == "recommend_suspension":
        row = await add_recommendation(
            session,
            SYSTEM,
            Recommendation(
                id=base,
                customer_id=customer_id,
                kind="suspension",
                source="strategy",
                status="pending",
                reason_code="persistent_non_payment",
                recommended_by=by,
                recommended_on=firing.as_of,
                note=f"{firing.step.days} days past due",
            ),
            firing.as_of,
        )
        return {"recommendation_ids": [str(row.id)]}
    ids = []
    for item in firing.items:
        if item.open_minor <= 0 or item.due_date >= firing.as_of:
            continue
        row = await add_recommendation(
            session,
            SYSTEM,
            Recommendation(
                id=uuid.uuid5(base, str(item.invoice_id)),
                customer_id=customer_id,
                kind="write_off",
                source="strategy",
                status="pending",
                invoice_id=item.invoice_id,
                currency=item.currency,
                amount_minor=item.open_minor,
                reason_code="uncollectable",
                recommended_by=by,
                recommended_on=firing.as_of,
                note=f"{firing.step.days} days past due",
            ),
            firing.as_of,
        )
        ids.append(str(row.id))
    return {"recommendation_ids": ids}
