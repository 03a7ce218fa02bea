"""Agreeing a payment plan: checked whole (nothing is written when anything is wrong), then its
items paused and marked "payment_plan" and the customer sent the plan confirmation. How plans are
judged afterwards: plans/judging.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections import notices
from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.config import get_settings
from ar_collections.domain import promises as rules
from ar_collections.models import PaymentPlan, PlanInstalment, PlanItem
from ar_collections.plans.schemas import Instalment, Plan, PlanCreate
from ar_collections.portfolios.service import require_account
from ar_collections.promises import coverage
from ar_collections.promises import repository as sql
from ar_collections.promises.repository import PlanRepository
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.audit.log import SystemActor
from ar_shared.clock import session_clock
from ar_shared.events.collections import PaymentPlanAgreed
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
            # the injected clock, not the transaction's start: which of a plan and a promise over the
            # same items came first decides whose cash is whose (promises/judging.py)
            created_at=session_clock(session).now(),
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
        await notices.notify(
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
    return (await plans_out(session, [plan]))[0]


async def plans_out(session: AsyncSession, rows: Sequence[PaymentPlan]) -> list[Plan]:
    repo = PlanRepository(session)
    ids = [p.id for p in rows]
    items, instalments = await repo.items(ids), await repo.instalments(ids)
    return [plan_out(p, items[p.id], instalments[p.id]) for p in rows]


async def active_plans(session: AsyncSession, customer_id: uuid.UUID) -> list[Plan]:
    return await plans_out(session, await PlanRepository(session).active_of_account(customer_id))
