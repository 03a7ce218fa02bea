"""Judging payment plans from the cash applied to their items, with the entity's business date:
each instalment kept, late, due or missed (domain/promises.py); a missed one breaches the plan (its
pauses lifted, its items dunned again, a call for the collector), a plan paid off closes itself.
Judged when cash moves on a covered item and when a business date arrives (before the strategy
run it asks for). Cash on an item an older promise also covers (one reopened by a reversal) counts
for that promise first (promises/judging.py `cash_counting_for`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.domain import promises as rules
from ar_collections.models import Account, PaymentPlan
from ar_collections.promises import coverage
from ar_collections.promises.judging import cash_counting_for
from ar_collections.promises.repository import PlanRepository
from ar_collections.recording import audit, outbox
from ar_collections.tasks.service import add_workflow_task
from ar_shared.audit.log import SystemActor
from ar_shared.events.collections import PaymentPlanBreached, PaymentPlanCompleted
from ar_shared.money import Money, MoneyTotal

SYSTEM = SystemActor(SYSTEM_SUBJECT)


async def judge_due(session: AsyncSession, business_entity: str, today: date) -> None:
    """Judges the entity's active plans on a new business date."""
    for plan in await PlanRepository(session).active_for_date(business_entity, today):
        await judge_plan(session, plan, today)


async def judge_items(
    session: AsyncSession, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID], today: date
) -> None:
    for plan in await PlanRepository(session).covering(customer_id, invoice_ids):
        await judge_plan(session, plan, today)


async def judge_plan(session: AsyncSession, plan: PaymentPlan, today: date) -> None:
    repo = PlanRepository(session)
    items = (await repo.items([plan.id]))[plan.id]
    instalments = (await repo.instalments([plan.id]))[plan.id]
    ids = [i.invoice_id for i in items]
    judged = rules.judge_plan(
        [rules.Instalment(i.due_date, i.amount_minor) for i in instalments],
        plan.tolerance_days,
        await cash_counting_for(session, plan.customer_id, ids, plan.agreed_on, (plan.created_at, plan.id)),
        today,
    )
    plan.received_minor = judged.received_minor
    for row, outcome in zip(instalments, judged.instalments, strict=True):
        row.status, row.paid_minor, row.paid_on = outcome.status, outcome.paid_minor, outcome.paid_on
    if judged.status == "active":
        await session.flush()
        return
    plan.status, plan.closed_on = judged.status, today
    await audit.record(
        session,
        actor=SYSTEM,
        action="payment_plan.judged",
        entity_type="account",
        entity_id=str(plan.customer_id),
        before={"plan_id": str(plan.id), "status": "active"},
        after={
            "plan_id": str(plan.id),
            "status": judged.status,
            "instalments": [i.status for i in judged.instalments],
            "on": today.isoformat(),
        },
    )
    await coverage.lift(session, [i.pause_id for i in items])
    await coverage.unmark(session, plan.customer_id, ids, "payment_plan")
    received = MoneyTotal.from_money(Money(judged.received_minor, plan.currency))
    if judged.status == "completed":
        await outbox.add(
            session,
            PaymentPlanCompleted(
                plan_id=plan.id, customer_id=plan.customer_id, received=received, completed_on=today
            ),
        )
        await coverage.note(
            session,
            plan.customer_id,
            today,
            f"Payment plan completed: {received.amount} {received.currency} paid",
        )
        return
    missed = [row.number for row in instalments if row.status == "missed"]
    await outbox.add(
        session,
        PaymentPlanBreached(
            plan_id=plan.id,
            customer_id=plan.customer_id,
            missed_instalments=missed,
            received=received,
            breached_on=today,
        ),
    )
    await coverage.note(
        session, plan.customer_id, today, f"Payment plan breached: instalment(s) {missed} missed"
    )
    account = await session.get(Account, plan.customer_id)
    assert account is not None
    await add_workflow_task(
        session,
        plan.customer_id,
        f"Payment plan breached: instalment(s) {', '.join(map(str, missed))} missed",
        today,
        plan.id,
    )
    await session.flush()
