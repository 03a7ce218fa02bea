"""Handlers for the events the credit service consumes: ledger movements keep exposure current,
and once per batch each customer they touched has its credit policy re-evaluated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any

from ar_credit.calendars.service import business_date_changed as keep_calendar
from ar_credit.calendars.service import entity_business_date
from ar_credit.config import get_settings
from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure import service as exposure
from ar_credit.exposure.repository import ExposureRepository
from ar_credit.holds.service import place_recommended_hold
from ar_credit.models import CreditDispute
from ar_credit.orders.service import order_invoiced
from ar_credit.policies.service import evaluate_many
from ar_credit.profiles.arrival import attach_pending_profiles
from ar_shared.consumer import BatchContext, Delivered, EventHandlers, HandlerContext
from ar_shared.events.collections import CreditHoldRecommended, DisputeOpened, DisputeResolved
from ar_shared.events.ledger import (
    AccountPastDue,
    BusinessDateChanged,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    InvoiceVoided,
    InvoiceWrittenOff,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
)

handlers = EventHandlers()


def _customer_of(delivered: Delivered[Any]) -> uuid.UUID | None:
    customer_id = getattr(delivered.payload, "customer_id", None)
    return customer_id if isinstance(customer_id, uuid.UUID) else None


@handlers.before_batch
async def lock_customers(ctx: BatchContext, batch: Sequence[Delivered[Any]]) -> None:
    """The batch's customers are locked first, in id order, as the API and every judge of several
    customers lock them: a batch and a judgement (or two partitions' batches) never deadlock."""
    customers = {c for c in map(_customer_of, batch) if c is not None}
    await CreditCustomerRepository(ctx.session).lock_many(sorted(customers))


@handlers.after_batch
async def reevaluate_customers(ctx: BatchContext, handled: Sequence[Delivered[Any]]) -> None:
    """Once per batch, for each customer its events touched: the exposure is stamped with the time
    of the customer's last applied event, and its credit policy judged once on its entity's
    business date (at least the latest past-due sweep's date among its events), however many of
    its events the batch held."""
    last_event_at: dict[uuid.UUID, datetime] = {}
    not_before: dict[uuid.UUID, date | None] = {}
    cause: dict[uuid.UUID, Delivered[Any]] = {}
    for delivered in handled:
        customer_id = _customer_of(delivered)
        if customer_id is None:
            continue
        at = delivered.event.time
        last_event_at[customer_id] = max(at, last_event_at.get(customer_id, at))
        payload = delivered.payload
        if isinstance(payload, CustomerUpserted):
            continue  # master data: nothing the policy judges (a pending profile judged it already)
        # at least the sweep's date: it arrives on the customer's partition, maybe before the
        # entity's BusinessDateChanged (another partition) has told credit that the date moved
        earliest = not_before.get(customer_id)
        if isinstance(payload, AccountPastDue) and (earliest is None or payload.as_of > earliest):
            earliest = payload.as_of
        not_before[customer_id] = earliest
        cause[customer_id] = delivered
    await exposure.events_applied(ctx.session, last_event_at)

    def traced(customer_id: uuid.UUID) -> AbstractContextManager[object]:
        return cause[customer_id].traced()  # holds placed or released follow from its last event

    # the batch locked its customers before its handlers (lock_customers)
    await evaluate_many(ctx.session, not_before, get_settings().rules, traced=traced, locked=True)


@handlers.on(CustomerUpserted)
async def customer_upserted(ctx: HandlerContext, event: CustomerUpserted) -> None:
    await CreditCustomerRepository(ctx.session).upsert(
        {
            "id": event.customer_id,
            "external_id": event.external_id,
            "name": event.name,
            "currency": event.currency,
            "business_entity": event.business_entity,
            "sales_rep": event.sales_rep,
            "time_zone": event.time_zone,
        }
    )
    settings = get_settings()
    await attach_pending_profiles(
        ctx.session, event.customer_id, settings.rules, approval_threshold=settings.limit_approval_threshold
    )


@handlers.on_batch(InvoiceIssued)
async def invoices_issued(ctx: BatchContext, issued: Sequence[Delivered[InvoiceIssued]]) -> None:
    # the hottest event (bulk imports): one statement for the batch's invoices
    await exposure.invoices_issued(ctx.session, [(d.payload, d.event.time) for d in issued])
    for delivered in issued:
        if delivered.payload.order_reference:
            await order_invoiced(ctx.session, delivered.payload.order_reference)


@handlers.on(InvoiceVoided)
async def invoice_voided(ctx: HandlerContext, event: InvoiceVoided) -> None:
    zero = event.amount.model_copy(update={"amount": "0"})
    await exposure.invoice_open_balance(ctx.session, event.customer_id, event.invoice_id, zero)


@handlers.on(PaymentReceived)
async def payment_received(ctx: HandlerContext, event: PaymentReceived) -> None:
    # `unapplied` is what stays unapplied after the allocations that follow as PaymentApplied
    await exposure.adjust(
        ctx.session, event.customer_id, event.amount.currency, unapplied_cash=exposure.minor(event.unapplied)
    )


@handlers.on(PaymentApplied)
async def payment_applied(ctx: HandlerContext, event: PaymentApplied) -> None:
    await exposure.invoice_open_balance(
        ctx.session, event.customer_id, event.invoice_id, event.invoice_open_balance
    )
    amount = exposure.minor(event.amount)
    if event.source_kind == "unapplied_cash":
        await exposure.adjust(ctx.session, event.customer_id, event.amount.currency, unapplied_cash=-amount)
    elif event.source_kind == "credit_memo":
        await exposure.adjust(
            ctx.session, event.customer_id, event.amount.currency, unapplied_credits=-amount
        )


@handlers.on(PaymentUnapplied)
async def payment_unapplied(ctx: HandlerContext, event: PaymentUnapplied) -> None:
    await exposure.invoice_open_balance(
        ctx.session, event.customer_id, event.invoice_id, event.invoice_open_balance
    )
    amount = exposure.minor(event.amount)
    part = "unapplied_cash" if event.source_kind == "payment" else "unapplied_credits"
    await exposure.adjust(ctx.session, event.customer_id, event.amount.currency, **{part: amount})


@handlers.on(PaymentReversed)
async def payment_reversed(ctx: HandlerContext, event: PaymentReversed) -> None:
    for reopened in event.reopened:
        await exposure.invoice_open_balance(
            ctx.session, event.customer_id, reopened.invoice_id, reopened.invoice_open_balance
        )
    await exposure.adjust(
        ctx.session,
        event.customer_id,
        event.amount.currency,
        unapplied_cash=-exposure.minor(event.unapplied_removed),
    )


@handlers.on(CreditMemoIssued)
async def credit_memo_issued(ctx: HandlerContext, event: CreditMemoIssued) -> None:
    # an immediate application to an invoice follows as PaymentApplied(source_kind=credit_memo)
    await exposure.adjust(
        ctx.session, event.customer_id, event.amount.currency, unapplied_credits=exposure.minor(event.amount)
    )


@handlers.on(RefundIssued)
async def refund_issued(ctx: HandlerContext, event: RefundIssued) -> None:
    # the money went back to the customer: it no longer offsets what they owe
    part = "unapplied_cash" if event.source_kind == "payment" else "unapplied_credits"
    amount = exposure.minor(event.amount)
    await exposure.adjust(ctx.session, event.customer_id, event.amount.currency, **{part: -amount})


@handlers.on(InvoiceWrittenOff)
async def invoice_written_off(ctx: HandlerContext, event: InvoiceWrittenOff) -> None:
    await exposure.invoice_open_balance(
        ctx.session, event.customer_id, event.invoice_id, event.invoice_open_balance
    )


@handlers.on(AccountPastDue)
async def account_past_due(ctx: HandlerContext, event: AccountPastDue) -> None:
    """Nothing to apply: the policy is judged on (at least) the sweep's date after the batch."""


@handlers.on(BusinessDateChanged)
async def business_date_changed(ctx: HandlerContext, event: BusinessDateChanged) -> None:
    """The entity's day closed: its calendar is kept, and every customer whose days past due grew
    (or who has a policy hold) is judged on the new date (the daily policy run)."""
    await keep_calendar(ctx.session, event)
    settings = get_settings()
    today = max(
        event.business_date,
        await entity_business_date(
            ctx.session, event.business_entity, ctx.clock, settings.business_time_zone
        ),
    )
    customers = await ExposureRepository(ctx.session).customers_to_evaluate(event.business_entity, today)
    await evaluate_many(ctx.session, dict.fromkeys(customers), settings.rules)


@handlers.on(CreditHoldRecommended)
async def credit_hold_recommended(ctx: HandlerContext, event: CreditHoldRecommended) -> None:
    await place_recommended_hold(ctx.session, event)


@handlers.on(DisputeOpened)
async def dispute_opened(ctx: HandlerContext, event: DisputeOpened) -> None:
    amount = exposure.minor(event.disputed_amount)
    repo = ExposureRepository(ctx.session)
    await repo.exposure_for_update(event.customer_id, event.disputed_amount.currency)
    added = await repo.open_dispute(
        CreditDispute(
            id=event.dispute_id,
            customer_id=event.customer_id,
            invoice_id=event.invoice_id,
            currency=event.disputed_amount.currency,
            amount_minor=amount,
        )
    )
    if added:
        await repo.adjust(event.customer_id, disputed=amount)


@handlers.on(DisputeResolved)
async def dispute_resolved(ctx: HandlerContext, event: DisputeResolved) -> None:
    repo = ExposureRepository(ctx.session)
    await repo.exposure_for_update(event.customer_id, event.disputed_amount.currency)
    await repo.adjust(event.customer_id, disputed=-await repo.close_dispute(event.dispute_id))
