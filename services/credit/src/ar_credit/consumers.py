"""Handlers for the events the credit service consumes: ledger movements keep exposure current,
and every change re-evaluates the customer's credit policy."""

from __future__ import annotations

import uuid
from datetime import date

from ar_credit.calendars.service import business_date_changed as keep_calendar
from ar_credit.calendars.service import entity_business_date
from ar_credit.config import get_settings
from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure import service as exposure
from ar_credit.exposure.repository import ExposureRepository
from ar_credit.models import CreditDispute
from ar_credit.orders.service import order_invoiced
from ar_credit.policies.service import evaluate
from ar_credit.profiles.arrival import attach_pending_profiles
from ar_shared.consumer import EventHandlers, HandlerContext
from ar_shared.events.collections import DisputeOpened, DisputeResolved
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
)

handlers = EventHandlers()


async def reevaluate(ctx: HandlerContext, customer_id: uuid.UUID, on: date | None = None) -> None:
    """The customer's policy on its entity's business date (at least `on`)."""
    await evaluate(ctx.session, customer_id, get_settings().rules, not_before=on)


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


@handlers.on(InvoiceIssued)
async def invoice_issued(ctx: HandlerContext, event: InvoiceIssued) -> None:
    await exposure.invoice_issued(
        ctx.session,
        invoice_id=event.invoice_id,
        customer_id=event.customer_id,
        invoice_number=event.invoice_number,
        amount=event.amount,
        due_date=event.due_date,
        order_reference=event.order_reference,
    )
    if event.order_reference:
        await order_invoiced(ctx.session, event.order_reference)
    await reevaluate(ctx, event.customer_id)


@handlers.on(InvoiceVoided)
async def invoice_voided(ctx: HandlerContext, event: InvoiceVoided) -> None:
    zero = event.amount.model_copy(update={"amount": "0"})
    await exposure.invoice_open_balance(ctx.session, event.customer_id, event.invoice_id, zero)
    await reevaluate(ctx, event.customer_id)


@handlers.on(PaymentReceived)
async def payment_received(ctx: HandlerContext, event: PaymentReceived) -> None:
    # `unapplied` is what stays unapplied after the allocations that follow as PaymentApplied
    await exposure.adjust(
        ctx.session, event.customer_id, event.amount.currency, unapplied_cash=exposure.minor(event.unapplied)
    )
    await reevaluate(ctx, event.customer_id)


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
    await reevaluate(ctx, event.customer_id)


@handlers.on(PaymentUnapplied)
async def payment_unapplied(ctx: HandlerContext, event: PaymentUnapplied) -> None:
    await exposure.invoice_open_balance(
        ctx.session, event.customer_id, event.invoice_id, event.invoice_open_balance
    )
    amount = exposure.minor(event.amount)
    part = "unapplied_cash" if event.source_kind == "payment" else "unapplied_credits"
    await exposure.adjust(ctx.session, event.customer_id, event.amount.currency, **{part: amount})
    await reevaluate(ctx, event.customer_id)


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
    await reevaluate(ctx, event.customer_id)


@handlers.on(CreditMemoIssued)
async def credit_memo_issued(ctx: HandlerContext, event: CreditMemoIssued) -> None:
    # an immediate application to an invoice follows as PaymentApplied(source_kind=credit_memo)
    await exposure.adjust(
        ctx.session, event.customer_id, event.amount.currency, unapplied_credits=exposure.minor(event.amount)
    )
    await reevaluate(ctx, event.customer_id)


@handlers.on(InvoiceWrittenOff)
async def invoice_written_off(ctx: HandlerContext, event: InvoiceWrittenOff) -> None:
    await exposure.invoice_open_balance(
        ctx.session, event.customer_id, event.invoice_id, event.invoice_open_balance
    )
    await reevaluate(ctx, event.customer_id)


@handlers.on(AccountPastDue)
async def account_past_due(ctx: HandlerContext, event: AccountPastDue) -> None:
    # at least the sweep's date: it arrives on the customer's partition, maybe before the entity's
    # BusinessDateChanged (another partition) has told credit that the date moved
    await reevaluate(ctx, event.customer_id, event.as_of)


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
    for customer_id in await ExposureRepository(ctx.session).customers_to_evaluate(
        event.business_entity, today
    ):
        await reevaluate(ctx, customer_id)


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
    await reevaluate(ctx, event.customer_id)


@handlers.on(DisputeResolved)
async def dispute_resolved(ctx: HandlerContext, event: DisputeResolved) -> None:
    repo = ExposureRepository(ctx.session)
    await repo.exposure_for_update(event.customer_id, event.disputed_amount.currency)
    await repo.adjust(event.customer_id, disputed=-await repo.close_dispute(event.dispute_id))
    await reevaluate(ctx, event.customer_id)
