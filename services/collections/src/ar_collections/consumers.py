"""Handlers for the events the collections service consumes.

Each ledger and credit event updates the account projection (projection/apply.py) in the
handler's transaction; an account that arrives, or whose attributes or risk class change, is
placed by the assignment rules in the same transaction. A new business date asks for the
entity's strategy run (the worker runs it), after the entity's promises and payment plans are
judged for that date in the same transaction, so a promise broken today no longer pauses its
items when the run reads the pauses; the red-flag job of the date is asked for in the same way
(red_flags/jobs.py: the worker runs it after this commits, only the kinds of flag whose figures
can have changed). Cash applied to, unapplied from or reversed off an item
judges again the promises and plans over it. A credit memo answering a dispute's request may
close the case, and a payment applied short with a deduction reason opens a deduction case (or
a write-off recommendation): disputes/settlement.py. The worker sees every account (row-level
security: `act_as_system`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from ar_collections.access import SYSTEM_SUBJECT, act_as_system
from ar_collections.accounts.repository import AccountRepository
from ar_collections.calendars import service as calendars
from ar_collections.config import get_settings
from ar_collections.disputes import settlement
from ar_collections.dunning import run as strategy_runs
from ar_collections.models import Account
from ar_collections.plans import judging as plans
from ar_collections.portfolios import assignment
from ar_collections.projection import apply as projection
from ar_collections.projection.apply import PROJECTIONS, Projection
from ar_collections.promises import judging as promises
from ar_collections.promises import repository as promise_coverage
from ar_collections.red_flags import jobs as red_flag_jobs
from ar_shared.audit.log import SystemActor
from ar_shared.consumer import BatchContext, Delivered, EventHandlers, HandlerContext
from ar_shared.events.credit import CreditReviewCompleted, CreditRiskClassChanged
from ar_shared.events.ledger import (
    BusinessDateChanged,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    PaymentApplied,
    PaymentReversed,
    PaymentUnapplied,
)

handlers = EventHandlers()
SYSTEM = SystemActor(SYSTEM_SUBJECT)

# after the projection: what else an event sets off (keyed by payload type)
Reaction = Callable[[HandlerContext, Any], Awaitable[None]]


async def place_by_rules(ctx: HandlerContext | BatchContext, customer_ids: Sequence[uuid.UUID]) -> None:
    known = await calendars.load(ctx.session, ctx.clock, get_settings().business_time_zone)
    await assignment.reassess(ctx.session, customer_ids, actor=SYSTEM, today=known.today)


async def risk_class_may_have_moved(
    ctx: HandlerContext, event: CreditReviewCompleted | CreditRiskClassChanged
) -> None:
    await place_by_rules(ctx, [event.customer_id])  # assignment rules may key on the risk class


async def close_of_business(ctx: HandlerContext, event: BusinessDateChanged) -> None:
    # promises and plans first: what they stop pausing is dunned by the run this date asks for;
    # a replayed older announcement judges with the entity's latest date, never an earlier one
    known = await calendars.load(ctx.session, ctx.clock, get_settings().business_time_zone)
    today = max(event.business_date, known.today(event.business_entity))
    await promises.judge_due(ctx.session, event.business_entity, today)
    await plans.judge_due(ctx.session, event.business_entity, today)
    # the red-flag job and the strategy run are the worker's, after this commits: only asked for here
    await red_flag_jobs.ask(ctx.session, event.business_entity, today)
    await strategy_runs.ask(ctx.session, event.business_entity, event.business_date)


async def cash_moved(ctx: HandlerContext, event: PaymentApplied | PaymentUnapplied | PaymentReversed) -> None:
    """Promises and plans over the items whose cash moved are judged again."""
    invoice_ids = event.reopened_invoice_ids if isinstance(event, PaymentReversed) else [event.invoice_id]
    if isinstance(event, PaymentReversed):
        invoice_ids = list(dict.fromkeys([*invoice_ids, *(r.invoice_id for r in event.reopened)]))
    if not invoice_ids or not await promise_coverage.anything_covers(ctx.session, invoice_ids):
        return
    account = await ctx.session.get(Account, event.customer_id)
    if account is None:
        return
    known = await calendars.load(ctx.session, ctx.clock, get_settings().business_time_zone)
    today = known.today(account.business_entity)
    await promises.judge_items(ctx.session, event.customer_id, invoice_ids, today)
    await plans.judge_items(ctx.session, event.customer_id, invoice_ids, today)


async def business_date_of(ctx: HandlerContext, customer_id: uuid.UUID) -> date:
    known = await calendars.load(ctx.session, ctx.clock, get_settings().business_time_zone)
    account = await AccountRepository(ctx.session).get(customer_id)
    return known.today(account.business_entity) if account is not None else known.default_today()


async def credit_memo_issued(ctx: HandlerContext, event: CreditMemoIssued) -> None:
    # the memo a valid dispute asked for: its item goes back to normal, the case may close
    if event.request_id is not None:
        await settlement.credit_memo_arrived(
            ctx.session, event, await business_date_of(ctx, event.customer_id)
        )


async def payment_applied(ctx: HandlerContext, event: PaymentApplied) -> None:
    await cash_moved(ctx, event)
    # a short payment with a deduction reason: a deduction case, or a small residual's write-off
    if event.deduction_reason is not None:
        settings = get_settings()
        await settlement.payment_applied_short(
            ctx.session,
            event,
            await business_date_of(ctx, event.customer_id),
            tolerances=settings.short_payment_write_off_tolerance,
            due_days=settings.dispute_due_days,
            write_off_reason=settings.short_payment_write_off_reason,
        )


REACTIONS: dict[type[Any], Reaction] = {
    CreditReviewCompleted: risk_class_may_have_moved,
    CreditRiskClassChanged: risk_class_may_have_moved,
    BusinessDateChanged: close_of_business,
    CreditMemoIssued: credit_memo_issued,
    PaymentApplied: payment_applied,
    PaymentUnapplied: cash_moved,
    PaymentReversed: cash_moved,
}


def _handler(project: Projection, react: Reaction | None) -> Callable[[HandlerContext, Any], Awaitable[None]]:
    async def handle(ctx: HandlerContext, event: Any) -> None:
        await act_as_system(ctx.session)
        await project(ctx.session, event)
        if react is not None:
            await react(ctx, event)

    return handle


@handlers.on_batch(CustomerUpserted)
async def customers_upserted(ctx: BatchContext, arrived: Sequence[Delivered[CustomerUpserted]]) -> None:
    # a bulk load of customers: their accounts in one statement, the assignment rules run once
    await act_as_system(ctx.session)
    events = [delivered.payload for delivered in arrived]
    await projection.customers_upserted(ctx.session, events)
    await place_by_rules(ctx, list(dict.fromkeys(event.customer_id for event in events)))


@handlers.on_batch(InvoiceIssued)
async def invoices_issued(ctx: BatchContext, issued: Sequence[Delivered[InvoiceIssued]]) -> None:
    # the hottest event (bulk imports): the batch's open items in one statement
    await act_as_system(ctx.session)
    await projection.invoices_issued(ctx.session, [delivered.payload for delivered in issued])


BATCH_HANDLED: set[type[Any]] = {CustomerUpserted, InvoiceIssued}  # above

for _model, _project in PROJECTIONS.items():
    if _model not in BATCH_HANDLED:
        handlers.on(_model)(_handler(_project, REACTIONS.get(_model)))
