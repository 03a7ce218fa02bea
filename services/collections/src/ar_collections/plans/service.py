"""Agreeing a payment plan (checked whole, nothing written when anything is wrong) and judging
plans from the cash applied to their items: each instalment kept, late, due or missed; a missed
one breaches the plan (its items dunned again, a call for the collector), a fully paid plan
closes itself. Judged when cash moves on a covered item and when the business date arrives."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.config import get_settings
from ar_collections.domain import promises as rules
from ar_collections.models import Account, PaymentPlan, PlanInstalment, PlanItem, Task
from ar_collections.plans.schemas import Instalment, Plan, PlanCreate
from ar_collections.portfolios.service import require_account
from ar_collections.promises import coverage
from ar_collections.promises import repository as sql
from ar_collections.promises.repository import PlanRepository, cash_applied
from ar_collections.recording import audit, outbox
from ar_collections.tasks.service import add_task
from ar_shared.audit import Actor
from ar_shared.audit.log import SystemActor
from ar_shared.events.collections import PaymentPlanAgreed, PaymentPlanBreached, PaymentPlanCompleted
from ar_shared.events.collections import PlanInstalment as InstalmentEvent
from ar_shared.money import Money, MoneyAmount, MoneyTotal, format_minor
from ar_shared.problems import FieldError, NotFound, Unprocessable

SYSTEM = SystemActor(SYSTEM_SUBJECT)


def _money(minor: int, currency: str) -> MoneyAmount:
    return MoneyAmount.from_money(Money(minor, currency))


def plan_out(plan: PaymentPlan, items: Sequence[PlanItem], instalments: Sequence[PlanInstalment]) -> Plan:
    c = plan.currency
    return Plan(
        id=plan.id,
        customer_id=plan.customer_id,
        total=_money(plan.total_minor, c),
        received=MoneyTotal.from_money(Money(plan.received_minor, c)),
        tolerance_days=plan.tolerance_days,
        invoice_ids=[i.invoice_id for i in items],
        instalments=[
            Instalment(
                number=i.number,
                down_payment=i.down_payment,
                due_date=i.due_date,
                amount=_money(i.amount_minor, c),
                paid=MoneyTotal.from_money(Money(i.paid_minor, c)),
                paid_on=i.paid_on,
                status=i.status,
            )
            for i in instalments
        ],
        status=plan.status,
        note=plan.note,
        agreed_on=plan.agreed_on,
        closed_on=plan.closed_on,
        created_by=plan.created_by,
        created_at=plan.created_at,
    )


async def agree_plan(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: PlanCreate,
    calendars: BusinessCalendars,
) -> Plan:
    account = await require_account(session, customer_id)
    await sql.lock_coverage(session, customer_id)
    today = calendars.today(account.business_entity)
    errors: list[FieldError] = []
    schedule = ([("down_payment", data.down_payment)] if data.down_payment else []) + [
        (f"instalments.{n}", i) for n, i in enumerate(data.instalments)
    ]
    currencies = {i.amount.currency for _, i in schedule}
    currency = data.instalments[0].amount.currency
    if len(currencies) > 1:
        errors.append(
            FieldError(
                field="instalments", message="every instalment is in one currency", code="currency_mismatch"
            )
        )
    found = await sql.items_by_id(session, data.invoice_ids)
    taken = await sql.covered_elsewhere(session, data.invoice_ids)
    if len(set(data.invoice_ids)) != len(data.invoice_ids):
        errors.append(
            FieldError(field="invoice_ids", message="an item is named twice", code="duplicate_item")
        )
    covered = 0
    for n, invoice_id in enumerate(data.invoice_ids):
        item, where = found.get(invoice_id), f"invoice_ids.{n}"
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(
                    field=where, message=f"{invoice_id} is no item of the account", code="unknown_open_item"
                )
            )
        elif item.open_minor <= 0 or item.voided:
            errors.append(
                FieldError(field=where, message=f"{item.invoice_number} is not open", code="item_not_open")
            )
        elif item.currency != currency:
            errors.append(
                FieldError(
                    field=where,
                    message=f"{item.invoice_number} is in {item.currency}, the plan in {currency}",
                    code="currency_mismatch",
                )
            )
        elif invoice_id in taken:
            errors.append(
                FieldError(
                    field=where,
                    message=f"a live {taken[invoice_id]} covers {item.invoice_number} already",
                    code="item_already_covered",
                )
            )
        else:
            covered += item.open_minor
    planned = [rules.Instalment(i.due_date, i.amount.to_money().minor) for _, i in schedule]
    for index, code, message in rules.instalment_errors(planned, covered, today):
        if code == "instalments_do_not_add_up":
            places = Money.zero(currency).exponent
            total = format_minor(sum(p.minor for p in planned), places)
            message = (
                f"the instalments add up to {total}, the items are open for {format_minor(covered, places)}"
            )
        errors.append(
            FieldError(
                field="instalments" if index is None else f"{schedule[index][0]}.due_date",
                message=message,
                code=code,
            )
        )
    for where, i in schedule:
        if not i.amount.to_money().is_positive:
            errors.append(
                FieldError(
                    field=f"{where}.amount.amount",
                    message="an instalment pays something",
                    code="amount_not_positive",
                )
            )
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_plan", errors=errors)

    tolerance = get_settings().plan_tolerance_days if data.tolerance_days is None else data.tolerance_days
    plan = await PlanRepository(session).add(
        PaymentPlan(
            id=uuid.uuid4(),
            customer_id=customer_id,
            business_entity=account.business_entity,
            currency=currency,
            exponent=Money.zero(currency).exponent,
            total_minor=covered,
            tolerance_days=tolerance,
            note=data.note,
            agreed_on=today,
            status="active",
            received_minor=0,
            created_by=actor.subject,
        )
    )
    first = 0 if data.down_payment else 1
    instalments = [
        PlanInstalment(
            plan_id=plan.id,
            number=first + n,
            customer_id=customer_id,
            down_payment=data.down_payment is not None and n == 0,
            due_date=p.due_date,
            amount_minor=p.minor,
            status="pending",
            paid_minor=0,
        )
        for n, p in enumerate(planned)
    ]
    ids = list(data.invoice_ids)
    pauses = await coverage.pause(
        session,
        customer_id,
        ids,
        reason="payment_plan",
        ends_on=rules.deadline(planned[-1].due_date, tolerance),
        note=f"payment plan {plan.id}",
        by=actor.subject,
    )
    items = [
        PlanItem(
            plan_id=plan.id,
            invoice_id=i,
            customer_id=customer_id,
            open_minor=found[i].open_minor,
            pause_id=pauses[i],
        )
        for i in ids
    ]
    session.add_all(instalments)
    session.add_all(items)
    await coverage.mark(session, customer_id, ids, "payment_plan", by=actor.subject)
    await session.flush()
    result = plan_out(plan, items, instalments)
    agreed = await outbox.add(
        session,
        PaymentPlanAgreed(
            plan_id=plan.id,
            customer_id=customer_id,
            total=result.total,
            instalments=[
                InstalmentEvent(
                    number=i.number, due_date=i.due_date, amount=i.amount, down_payment=i.down_payment
                )
                for i in result.instalments
            ],
            tolerance_days=tolerance,
            invoice_ids=ids,
            agreed_by=actor.subject,
        ),
    )
    if data.send_confirmation:
        await coverage.notify(
            session,
            account,
            "payment_plan_confirmation",
            f"plan:{plan.id}",
            {
                "instalments": [
                    {
                        "due_date": i.due_date.isoformat(),
                        "amount": i.amount.amount,
                        "currency": i.amount.currency,
                        "down_payment": i.down_payment,
                    }
                    for i in result.instalments
                ],
                "total": result.total.amount,
                "currency": currency,
            },
            agreed.id,
        )
    await audit.record(
        session,
        actor=actor,
        action="payment_plan.agreed",
        entity_type="account",
        entity_id=str(customer_id),
        after=result.model_dump(mode="json"),
    )
    return result


async def get_plan(session: AsyncSession, customer_id: uuid.UUID, plan_id: uuid.UUID) -> Plan:
    await require_account(session, customer_id)
    repo = PlanRepository(session)
    plan = await repo.get(plan_id)
    if plan is None or plan.customer_id != customer_id:
        raise NotFound(f"no payment plan {plan_id} on the account", code="payment_plan_not_found")
    return plan_out(plan, await repo.items(plan.id), await repo.instalments(plan.id))


async def plans_out(session: AsyncSession, rows: Sequence[PaymentPlan]) -> list[Plan]:
    repo = PlanRepository(session)
    return [plan_out(p, await repo.items(p.id), await repo.instalments(p.id)) for p in rows]


async def active_plans(session: AsyncSession, customer_id: uuid.UUID) -> list[Plan]:
    return await plans_out(session, await PlanRepository(session).active_of_account(customer_id))


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
    items, instalments = await repo.items(plan.id), await repo.instalments(plan.id)
    ids = [i.invoice_id for i in items]
    judged = rules.judge_plan(
        [rules.Instalment(i.due_date, i.amount_minor) for i in instalments],
        plan.tolerance_days,
        await cash_applied(session, ids, plan.agreed_on),
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
    await add_task(
        session,
        SYSTEM,
        Task(
            id=uuid.uuid4(),
            customer_id=plan.customer_id,
            kind="call",
            title=f"Payment plan breached: instalment(s) {', '.join(map(str, missed))} missed",
            due_on=today,
            sla_due_on=today,
            status="open",
            source="workflow",
            source_id=plan.id,
            created_by=SYSTEM_SUBJECT,
        ),
    )
    await session.flush()
