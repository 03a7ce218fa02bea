"""Judging promises to pay from the projection's cash, with the entity's business date.

Runs when a business date arrives (every open promise of the entity whose deadline passed), in the
consumer's transaction, before the strategy run that date asks for: a promise broken today has its
pauses lifted by the time the run reads them, so its items are dunned again the same day. Runs too
when cash is applied to, unapplied from or reversed off a covered item (the promises over those
items). Every change of status is announced; a broken promise sends the broken-promise notice,
puts a call on the collector's list (the worklist scores the account at the top), counts against
the account and, at every Nth broken promise, escalates to the portfolio team's manager.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections import notices
from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.config import get_settings
from ar_collections.domain import promises as rules
from ar_collections.domain.promises import Applied
from ar_collections.dunning.repository import DunningRepository
from ar_collections.models import Account, PromiseItem, PromiseToPay
from ar_collections.promises import coverage
from ar_collections.promises.repository import (
    CREDIT_KINDS,
    PlanRepository,
    PromiseRepository,
    cash_applied,
    older_commitments_over,
)
from ar_collections.recording import audit, outbox
from ar_collections.tasks.service import add_workflow_task
from ar_shared.audit.log import SystemActor
from ar_shared.events.collections import (
    EscalationRaised,
    PromiseToPayBroken,
    PromiseToPayKept,
    PromiseToPayPartiallyKept,
    PromiseToPayReopened,
)
from ar_shared.events.envelope import EventPayload
from ar_shared.money import Money, MoneyAmount, MoneyTotal

SYSTEM = SystemActor(SYSTEM_SUBJECT)


async def judge_due(session: AsyncSession, business_entity: str, today: date) -> int:
    """Judges the entity's open promises whose deadline passed by `today`; returns how many."""
    due = await PromiseRepository(session).to_judge_for_date(business_entity, today)
    await judge(session, due, today)
    return len(due)


async def judge_items(
    session: AsyncSession, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID], today: date
) -> None:
    """Judges again the account's promises over these items (cash moved on them)."""
    await judge(session, await PromiseRepository(session).covering(customer_id, invoice_ids), today)


async def judge(session: AsyncSession, promises: Sequence[PromiseToPay], today: date) -> None:
    if not promises:
        return
    items = await PromiseRepository(session).items([p.id for p in promises])
    for promise in sorted(promises, key=lambda p: (p.created_at, p.id)):
        await _judge_one(session, promise, items[promise.id], today)
    await session.flush()


async def _judge_one(
    session: AsyncSession, promise: PromiseToPay, items: list[PromiseItem], today: date
) -> None:
    ids = [i.invoice_id for i in items]
    made = (promise.created_at, promise.id)
    cash = await cash_counting_for(session, promise.customer_id, ids, promise.recorded_on, made)
    credits = await cash_applied(session, ids, promise.recorded_on, CREDIT_KINDS)
    judged = rules.judge_promise(
        promise.amount_minor,
        promise.promised_date,
        promise.tolerance_days,
        cash,
        today,
        credited=credits,
        covered_minor=sum(i.open_minor for i in items),
    )
    previous = promise.status
    promise.received_minor = judged.received_minor
    if judged.status == previous:
        return
    promise.status = judged.status
    promise.judged_on = None if judged.status == "open" else today
    await audit.record(
        session,
        actor=SYSTEM,
        action="promise.judged",
        entity_type="account",
        entity_id=str(promise.customer_id),
        before={"promise_id": str(promise.id), "status": previous},
        after={
            "promise_id": str(promise.id),
            "status": judged.status,
            "received_minor": judged.received_minor,
            "on": today.isoformat(),
        },
    )
    account = await session.get(Account, promise.customer_id)
    assert account is not None  # the promise's foreign key
    promised = MoneyAmount.from_money(Money(promise.amount_minor, promise.currency))
    received = MoneyTotal.from_money(Money(judged.received_minor, promise.currency))
    base = {
        "promise_id": promise.id,
        "customer_id": promise.customer_id,
        "promised": promised,
        "received": received,
    }
    if judged.status == "open":
        # cash that kept it was taken back before the deadline: it pauses its items again
        await _reopened(session, promise, items, today, promised)
        await outbox.add(session, PromiseToPayReopened(**base, reopened_on=today))
        return
    if previous == "open":
        await coverage.lift(session, [i.pause_id for i in items])
        # an item another live promise covers (a reopened promise's overlap) stays promised
        others = await PromiseRepository(session).others_open_over(promise, ids)
        await coverage.unmark(session, promise.customer_id, [i for i in ids if i not in others], "promised")
    event: EventPayload
    if judged.status == "kept":
        event = PromiseToPayKept(**base, outcome="kept", evaluated_on=today)
    elif judged.status == "partially_kept":
        event = PromiseToPayPartiallyKept(**base, evaluated_on=today)
    else:
        event = PromiseToPayBroken(**base, evaluated_on=today)
    announced = await outbox.add(session, event)
    if judged.status == "partially_kept":
        await _partially_kept(session, account, promise, judged, today, announced.id)
    label = judged.status.replace("_", " ")
    await coverage.note(
        session,
        promise.customer_id,
        today,
        f"Promise of {promised.amount} {promised.currency} for {promise.promised_date} {label}: "
        f"{received.amount} received by the deadline",
    )
    if judged.status == "broken":
        await _broken(session, account, promise, today, announced.id)


async def cash_counting_for(
    session: AsyncSession,
    customer_id: uuid.UUID,
    invoice_ids: list[uuid.UUID],
    since: date,
    made: tuple[datetime, uuid.UUID],
) -> list[Applied]:
    """The cash on these items that counts for a promise or plan made at `made` (created_at, id)
    and starting on `since`: what was applied since, less what the promises and plans made before
    it over the same items claim (each up to what it is owed, the earliest cash first). The one
    home of "cash counts once, for the older commitment first" (domain/promises.py)."""
    cash = await cash_applied(session, invoice_ids, since)
    claimed = 0
    for older, shared in await older_commitments_over(session, customer_id, invoice_ids, made):
        claimed += rules.claimed(older, await cash_applied(session, shared, older.since), since)
    return rules.unclaimed(cash, claimed)


async def _reopened(
    session: AsyncSession, promise: PromiseToPay, items: list[PromiseItem], today: date, promised: MoneyAmount
) -> None:
    """Cash that kept it was taken back before the deadline: it pauses its items again and is judged
    at its own deadline. A promise recorded or a plan agreed since over some of its items keeps
    pausing (and marking) those (the reopened one pauses only the rest) and both stay live, the cash
    counting for the older first (`cash_counting_for`); the collector gets a task to sort out which
    commitment the customer stands by."""
    ids = [i.invoice_id for i in items]
    newer = await PromiseRepository(session).others_open_over(promise, ids)
    planned = await PlanRepository(session).active_over(promise.customer_id, ids)
    last_day = rules.deadline(promise.promised_date, promise.tolerance_days)
    alone = [i for i in ids if i not in newer and i not in planned]
    pauses = await coverage.pause(
        session,
        promise.customer_id,
        alone,
        reason="promise",
        ends_on=last_day,
        note=f"promise {promise.id} (reopened)",
        by=SYSTEM_SUBJECT,
    )
    for item in items:
        if item.invoice_id in pauses:
            item.pause_id = pauses[item.invoice_id]
    promised_items = [i for i in ids if i not in planned]  # a plan's items keep its reason code
    await coverage.mark(session, promise.customer_id, promised_items, "promised", by=SYSTEM_SUBJECT)
    summary = f"Promise of {promised.amount} {promised.currency} reopened: its payment was taken back"
    overlaps = [
        *(f"promise {p}" for p in sorted({str(p) for p in newer.values()})),
        *(f"payment plan {p}" for p in sorted({str(p) for p in planned.values()})),
    ]
    if overlaps:
        others = ", ".join(overlaps)
        summary += f"; {others} made since covers some of its items, cash counts for this one first"
        await add_workflow_task(
            session,
            promise.customer_id,
            f"Reopened promise of {promised.amount} {promised.currency} overlaps {others}",
            today,
            promise.id,
        )
    await coverage.note(session, promise.customer_id, today, summary)


async def _partially_kept(
    session: AsyncSession,
    account: Account,
    promise: PromiseToPay,
    judged: rules.PromiseJudgement,
    today: date,
    event_id: uuid.UUID,
) -> None:
    def amount(minor: int) -> str:
        return str(Money(minor, promise.currency))

    await notices.notify(
        session,
        account,
        "partially_kept_promise",
        f"promise:{promise.id}:partially_kept:{today}",
        {
            "amount": amount(promise.amount_minor),
            "paid": amount(judged.received_minor),
            "credited": amount(judged.credited_minor),
            "missing": amount(judged.missing_minor),
            "currency": promise.currency,
            "promised_date": promise.promised_date.isoformat(),
        },
        event_id,
    )


async def _broken(
    session: AsyncSession, account: Account, promise: PromiseToPay, today: date, event_id: uuid.UUID
) -> None:
    amount = Money(promise.amount_minor, promise.currency)
    await notices.notify(
        session,
        account,
        "broken_promise",
        f"promise:{promise.id}:broken:{today}",
        {
            "amount": str(amount),
            "currency": amount.currency,
            "promised_date": promise.promised_date.isoformat(),
        },
        event_id,
    )
    await add_workflow_task(
        session,
        account.customer_id,
        f"Broken promise: {amount} {amount.currency} promised for {promise.promised_date}",
        today,
        promise.id,
    )
    every = get_settings().broken_promises_escalate_after
    broken = await PromiseRepository(session).broken_count(account.customer_id)
    if not rules.escalates(broken, every):
        return
    manager = (await DunningRepository(session).managers([account.customer_id])).get(account.customer_id)
    await outbox.add(
        session,
        EscalationRaised(
            escalation_id=uuid.uuid5(promise.id, "escalation"),
            customer_id=account.customer_id,
            level="manager",
            reason=f"{broken} broken promises to pay",
            raised_by=SYSTEM_SUBJECT,
        ),
    )
    await add_workflow_task(
        session,
        account.customer_id,
        f"Escalated: {broken} broken promises to pay",
        today,
        promise.id,
        kind="review",
        assignee_subject=manager,
    )
